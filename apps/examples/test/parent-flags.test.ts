/**
 * A program started with flags that only make sense for itself (`node
 * --input-type=module -e '…'`, the test runner's flags) still starts its
 * workers: they must not inherit those flags, on every backend and in every
 * worker kind a backend offers.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/cli.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Each backend, plus the process modes of the libraries that offer threads and processes. */
const KINDS: [string, string, string][] = [
  ...BACKENDS.map((name): [string, string, string] => [name, name === 'inline' ? 'core' : name, '{}']),
  ['tinypool (child_process)', 'tinypool', "{ tinypool: { runtime: 'child_process' } }"],
  ['workerpool (process)', 'workerpool', "{ workerpool: { workerType: 'process' } }"],
  ['poolifier (cluster)', 'poolifier', "{ poolifier: { workerType: 'cluster' } }"],
];

const program = (name: string, extra: string) => `
  import { createPool } from '@parapool/${name}';
  const pool = createPool({ processes: 2, ...${extra} });
  const squares = await pool.map((n) => n * n, [1, 2, 3, 4], { chunksize: 1 });
  await pool.close();
  await pool.join();
  console.log(JSON.stringify(squares));
`;

describe('workers of a program started with parent-only flags', () => {
  for (const [label, name, extra] of KINDS) {
    it(`${label}: node --input-type=module -e '…' maps on its workers`, async () => {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program(name, extra)], {
        cwd: root,
        timeout: 60_000,
      });
      expect(stdout.trim()).toBe('[1,4,9,16]');
    });

    // V8's flags hold for the whole process: Node refuses them in a thread's execArgv, so they are not passed on.
    it(`${label}: with V8's flags beside them (--expose-gc, --max-old-space-size) too`, async () => {
      const flags = ['--expose-gc', '--max-old-space-size=512', '--input-type=module', '-e', program(name, extra)];
      const { stdout } = await run(process.execPath, flags, { cwd: root, timeout: 60_000 });
      expect(stdout.trim()).toBe('[1,4,9,16]');
    });
  }

  it('the test runner flags (--test-name-pattern with its value) are not passed on either', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--test-name-pattern', 'nothing', '--input-type', 'module', '--eval', program('piscina', '{}')],
      { cwd: root, timeout: 60_000 },
    );
    expect(stdout.trim()).toBe('[1,4,9,16]');
  });
});
