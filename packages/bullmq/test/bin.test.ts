/**
 * The `parapool-worker` command as package.json declares it: a committed file (so `pnpm install` in a
 * fresh checkout, before any build, can link it without a warning) that runs the built CLI.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PACKAGE } from './support/roots.js';

const run = promisify(execFile);
const bin = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin[
  'parapool-worker'
] as string;

describe('the parapool-worker command', () => {
  it('is a file committed to the repository, present in a fresh clone before the build', async () => {
    // git ls-files fails (exit 1) on a path git does not track, such as anything under the ignored dist/.
    const { stdout } = await run('git', ['ls-files', '--error-unmatch', bin], { cwd: PACKAGE });
    expect(stdout.trim()).toBe(bin.replace(/^\.\//, ''));
  });

  it('runs the built CLI', async () => {
    const { stdout } = await run(process.execPath, [join(PACKAGE, bin), '--help']);
    expect(stdout).toMatch(/^usage: parapool-worker --redis <url> --queue <name>/);
  });

  it('before the build, says to build instead of failing on a missing file', async () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'parapool-unbuilt-'));
    try {
      mkdirSync(join(unbuilt, 'bin'));
      copyFileSync(join(PACKAGE, bin), join(unbuilt, bin));
      const failure = await run(process.execPath, [join(unbuilt, bin), '--help']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure.code).toBe(1);
      expect(failure.stderr).toBe(
        'parapool-worker: @parapool/bullmq is not built (dist/cli.js is missing): run `pnpm build` in the checkout first\n',
      );
    } finally {
      rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
