import { BasePool, WorkerCrashedError } from '@parapool/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ChildProcessBackend } from '../dist/index.js';
import { crashTasks, tasks } from './fixtures/tasks.js';
import { liveChildren, rejectionOf, until } from './helpers/children.js';

const PROCESSES = 2;
const CYCLES = 50;

describe('crash-and-replace cycles', () => {
  let backend!: ChildProcessBackend;
  const pool = new BasePool({ processes: PROCESSES }, (options) => {
    backend = new ChildProcessBackend(options);
    return backend;
  });
  afterAll(() => pool.terminate());

  it(`after ${CYCLES} crashes (exit, uncaught exception, SIGKILL from outside) the live children are exactly the pool's ${PROCESSES}`, async () => {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      let error: Error;
      if (cycle % 2 === 0) {
        error = await rejectionOf(pool.apply(tasks.exit, [7]));
        expect((error as WorkerCrashedError).exitCode).toBe(7);
      } else if (cycle % 10 === 1) {
        error = await rejectionOf(pool.apply(crashTasks.throwLater));
        expect((error as WorkerCrashedError).exitCode).toBe(1);
      } else {
        // Kill the worker holding a job from outside, as the OOM killer or a user would.
        const before = new Set(backend.pids);
        const call = pool.apply(tasks.sleep, [60_000]);
        const held = await pidHoldingJob(pool, before);
        process.kill(held, 'SIGKILL');
        error = await rejectionOf(call);
        expect((error as WorkerCrashedError).signal).toBe('SIGKILL');
      }
      expect(error).toBeInstanceOf(WorkerCrashedError);
    }
    await until(
      () => backend.pids.length === PROCESSES && sameSet(liveChildren(), backend.pids),
      15_000,
      `the children to settle at ${PROCESSES}`,
    );
    expect(liveChildren()).toEqual([...backend.pids].sort((a, b) => a - b));
    expect(liveChildren()).toHaveLength(PROCESSES);
    // And the pool still serves.
    expect(await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 4, 9, 16]);
  });

  it('terminate() leaves no child process behind', async () => {
    await pool.terminate();
    expect(liveChildren()).toEqual([]);
  });
});

/**
 * The pid of the worker that took the sleep job: ask the other worker(s) for
 * theirs; the one that cannot answer is busy. With 2 workers, one answer is enough.
 */
async function pidHoldingJob(pool: BasePool, candidates: Set<number>): Promise<number> {
  const free = await pool.apply(tasks.pid);
  const busy = [...candidates].filter((pid) => pid !== free);
  expect(busy).toHaveLength(1);
  return busy[0] as number;
}

function sameSet(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
