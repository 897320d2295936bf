/**
 * Other Node majors for tests, from the npm registry (`node-<os>-<arch>@<major>`,
 * a plain package holding the binary), installed on first use where the
 * runtime matrix (scripts/runtimes.mjs) and .ci/run keep theirs: the
 * repository's ignored `.runtimes/`, as `node<major>`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE } from './roots.js';

const RUNTIMES = resolve(PACKAGE, '..', '..', '.runtimes');

/** The path of Node `major`'s binary, installing it first if it is missing. */
export function nodeBinary(major: number): string {
  const name = `node${major}`;
  const bin = join(RUNTIMES, 'node_modules', name, 'bin', 'node');
  if (!existsSync(bin)) {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        RUNTIMES,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${name}@npm:node-${process.platform}-${process.arch}@${major}`,
      ],
      { stdio: 'pipe', timeout: 300_000 },
    );
  }
  return bin;
}
