import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import { createPool, type PoolifierPoolOptions } from '../dist/index.js';

const run = promisify(execFile);
const program = fileURLToPath(new URL('./fixtures/no-close.js', import.meta.url));
const { pool } = useTestPools((options: PoolifierPoolOptions) => createPool(options), 'poolifier');

describe.each(['thread', 'cluster'] as const)('@parapool/poolifier, workerType %s', (workerType) => {
  it('a program that never closes its pool still exits once idle', async () => {
    const { stdout } = await run(process.execPath, [program, workerType], { timeout: 20_000 });
    expect(stdout.trim()).toBe('[2,4,6]');
  });

  it('declares separate processes only for cluster', () => {
    expect(pool({ processes: 1, poolifier: { workerType } }).capabilities.separateProcesses).toBe(
      workerType === 'cluster',
    );
  });

  // poolifier's destroy() may wait for an exit that already happened; the adapter waits for the
  // workers' exits instead. Otherwise each such stop costs the core's 10 s bound, and this test times out.
  it('close() after many recycled workers finishes once they have exited', async () => {
    const p = pool({ processes: 2, maxtasksperchild: 1, poolifier: { workerType } });
    const ids = Array.from({ length: 12 }, (_, i) => i);
    expect(await p.map((n: number) => n + 1, ids, { chunksize: 1 })).toEqual(ids.map((n) => n + 1));
    p.close();
    await p.join();
    // The bound only stops a hang: twelve cluster workers started one after another take seconds on busy cores.
  }, 90_000);
});

describe('@parapool/poolifier options', () => {
  it('refuses the options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ poolifier: { enableTasksQueue: true } as never })).toThrow(
      'poolifier.enableTasksQueue is set by @parapool/poolifier and cannot be passed: the core queues the jobs.',
    );
    expect(() => createPool({ poolifier: { restartWorkerOnError: true } as never })).toThrow(/replaces a worker/);
  });

  it('refuses an unknown workerType and options that are not an object', () => {
    expect(() => createPool({ poolifier: { workerType: 'web' as never } })).toThrow(
      "poolifier.workerType must be 'thread' or 'cluster' (got web)",
    );
    expect(() => createPool({ poolifier: 'cluster' as never })).toThrow(/^poolifier must be an object/);
  });
});
