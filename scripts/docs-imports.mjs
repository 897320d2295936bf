#!/usr/bin/env node
/**
 * `node scripts/docs-imports.mjs` (part of `pnpm lint:root`): fails if a user-facing README's code imports
 * from `@parapool/core` itself. Users install an adapter, which brings the core as its dependency and
 * re-exports all of it; under pnpm an import of a package the project did not list fails, so every example
 * a user may copy imports from the adapter. CONTRIBUTING.md (adapter authors depend on the core) and the
 * core's subpaths (`@parapool/core/adapter`, `/worker`, for adapter authors) are not checked.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = execFileSync('git', ['ls-files', '*README.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !file.startsWith('.changeset/'));
const found = [];
for (const file of files) {
  let inCode = false;
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^\s*```/.test(line)) inCode = !inCode;
      else if (inCode && /\bfrom\s+['"]@parapool\/core['"]/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
}
if (found.length > 0) {
  console.error(
    `docs-imports: README code imports from @parapool/core, which fails under pnpm unless the project lists it; import from the adapter (each re-exports all of the core):\n${found.map((line) => `  ${line}`).join('\n')}`,
  );
  process.exit(1);
}
