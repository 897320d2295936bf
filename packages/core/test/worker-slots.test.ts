import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { type Job, jobControl, WorkerSlots } from '../src/adapter.js';
import { createPool } from '../src/index.js';

describe('WorkerSlots', () => {
  it('starts workers as work needs them: a pool of 100 for three items starts three; the size is warned about once', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning) => {
      warnings.push(String(warning));
    });
    const pool = createPool({ processes: 100 });
    createPool({ processes: 100 }).terminate();
    spy.mockRestore();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/A pool of 100 workers on \d+ cores/);
    expect(pool.insights().workers).toHaveLength(0);
    const slow = async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return n;
    };
    expect(await pool.map(slow, [1, 2, 3], { chunksize: 1 })).toEqual([1, 2, 3]);
    expect(pool.insights().workers).toHaveLength(3);
    // Idle workers are reused before new ones start.
    await pool.map(slow, [4, 5], { chunksize: 1 });
    expect(pool.insights().workers).toHaveLength(3);
    await pool.terminate();
  });
});

describe('WorkerSlots: stop() that never resolves (a library whose destroy hangs for a dead worker)', () => {
  const job: Job = { task: { kind: 'module', module: 'memory:nothing', name: 'none' }, items: [1], spread: false };

  /** Real threads whose stop() ends the thread but, like poolifier's destroy() after a crash, never resolves. */
  function hangingSlots(threads: Worker[]): WorkerSlots {
    return new WorkerSlots({
      size: 2,
      maxJobs: undefined,
      stopTimeoutMs: 100,
      spawn: () => {
        const thread = new Worker('setInterval(() => {}, 1000)', { eval: true });
        threads.push(thread);
        return {
          run: async () => ({ values: [1] }),
          stop: () => {
            void thread.terminate();
            return new Promise<void>(() => {});
          },
        };
      },
    });
  }

  it.each(['close', 'terminate'] as const)(
    '%s() still finishes, and warns once that a worker did not stop',
    async (method) => {
      const warnings: string[] = [];
      const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning) => {
        warnings.push(String(warning));
      });
      try {
        const threads: Worker[] = [];
        const slots = hangingSlots(threads);
        await Promise.all([slots.run(job, jobControl()), slots.run(job, jobControl())]);
        expect(threads).toHaveLength(2);
        await slots[method]();
        expect(slots.workers).toHaveLength(0);
      } finally {
        spy.mockRestore();
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/A worker did not stop within 100 ms/);
    },
  );

  it('a stop() that throws is a stop that failed, not an error of close()', async () => {
    const slots = new WorkerSlots({
      size: 1,
      maxJobs: undefined,
      spawn: () => ({
        run: async () => ({ values: [1] }),
        stop: () => {
          throw new Error('library bug');
        },
      }),
    });
    await slots.run(job, jobControl());
    await expect(slots.close()).resolves.toBeUndefined();
  });
});
