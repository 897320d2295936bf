#!/usr/bin/env node
/**
 * `node scripts/install-quiet.mjs [pnpm install flags]`: runs `pnpm install` (the version in package.json's
 * packageManager, through npx) with its output shown as usual, and fails if pnpm warned. CI runs it on a
 * fresh clone, so a warning a newcomer would see on their first install (a bin that cannot be linked, build
 * scripts pnpm was not told to run or skip) fails the build instead of being left for them to puzzle over.
 * Network retries are not counted: they say nothing about the repository.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const child = spawn('npx', ['-y', packageManager, 'install', ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
let output = '';
for (const [stream, out] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  stream.on('data', (data) => {
    output += data;
    out.write(data);
  });
}
const code = await new Promise((done) => child.on('close', (exitCode, signal) => done(exitCode ?? signal)));
if (code !== 0) {
  console.error(`install-quiet: pnpm install failed (${code})`);
  process.exit(typeof code === 'number' ? code : 1);
}
const warnings = output
  .split('\n')
  .filter((line) => /\bWARN\b|Ignored build scripts/.test(line) && !/Will retry/i.test(line));
if (warnings.length > 0) {
  console.error(
    `install-quiet: pnpm install warned (a fresh install must be quiet; fix the cause, or say in the README why it is harmless and silence it in pnpm-workspace.yaml):\n${warnings.map((line) => `  ${line.trim()}`).join('\n')}`,
  );
  process.exit(1);
}
