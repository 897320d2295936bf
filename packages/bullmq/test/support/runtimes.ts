/**
 * Other Node majors for tests: installed from the npm registry on first use by
 * the runtime matrix's own installer (scripts/runtimes.mjs --install-only),
 * where it and .ci/run keep them (the repository's ignored `.runtimes/`).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PACKAGE } from './roots.js';

const SCRIPT = resolve(PACKAGE, '..', '..', 'scripts', 'runtimes.mjs');

/** The path of Node `major`'s binary, installing it first if it is missing. */
export function nodeBinary(major: number): string {
  const name = `node${major}`;
  const out = execFileSync(process.execPath, [SCRIPT, '--runtimes', name, '--install-only'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  return (JSON.parse(out) as Record<string, string>)[name] as string;
}
