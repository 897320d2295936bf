import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

type Crashed = Error & { exitCode?: number | null; attempts?: number };

export function retriesFeature(ctx: SuiteContext): void {
  if (ctx.capabilities.isolatesCrashes)
    describe('retries', () => {
      it('a task that kills its worker once succeeds on a fresh worker with retries: 1', async () => {
        const pool = ctx.fresh();
        const dir = ctx.tempDir();
        expect(await pool.apply(tasks.exitOnce, [dir, 9], { retries: 1 })).toBe('second run');
      });

      it('without retries (the default), the same task fails its call with WorkerCrashedError', async () => {
        const pool = ctx.fresh();
        const error = (await rejectionOf(pool.apply(tasks.exitOnce, [ctx.tempDir(), 9]))) as Crashed;
        expect(error.name).toBe('WorkerCrashedError');
        expect(error.exitCode).toBe(9);
        expect(error.attempts).toBeUndefined();
      });

      it("the pool's retries is every call's default: a map's items that had finished keep their results, the crashed one runs again", async () => {
        const pool = ctx.fresh({ retries: 2 });
        const dir = ctx.tempDir();
        const once = ctx.tempDir();
        const calls = [0, 1, 2, 3, 4, 5].map((i) => pool.apply(tasks.countRun, [dir, i, false]));
        const crashing = pool.apply(tasks.exitOnce, [once, 4]);
        expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(await crashing).toBe('second run');
        // Each finished call ran once (with jobsAhead, a call the dying worker had ended, whose answer died
        // with it, runs again elsewhere: its result was never heard).
        for (let i = 0; i < 6; i++) {
          const runs = readFileSync(join(dir, `run-${i}`), 'utf8');
          if (ctx.capabilities.jobsAhead) expect(['x', 'xx']).toContain(runs);
          else expect(runs).toBe('x');
        }
        const values = await pool.starmap(
          tasks.exitOnce,
          [0, 1, 2].map(() => [ctx.tempDir(), 4] as [string, number]),
          { chunksize: 1 },
        );
        expect(values).toEqual(['second run', 'second run', 'second run']);
      });

      // The record of a crashed chunk's ended items lives with the workers that ran it (threads: shared memory;
      // worker processes: a file); a backend whose workers are other hosts' (bullmq) gets them back with the crash.
      const where = !ctx.capabilities.observesWorkers
        ? " on other hosts' workers"
        : ctx.capabilities.separateProcesses
          ? ' on worker processes'
          : '';
      it(`with chunksize > 1${where}, the items of a crashed chunk that had ended keep their results and run once; the item that was running and those after it run again`, async () => {
        const pool = ctx.fresh({ processes: 1 });
        const dir = ctx.tempDir();
        const items = [0, 1, 2, 3, 4, 5].map((i) => [dir, i, 3] as [string, number, number]);
        const values = await pool.starmap(tasks.countRunExitOnce, items, { chunksize: 6, retries: 1 });
        expect(values).toEqual([0, { i: 1 }, 20, { i: 3 }, 40, { i: 5 }]);
        const runs = items.map((_, i) => readFileSync(join(dir, `run-${i}`), 'utf8'));
        expect(runs).toEqual(['x', 'x', 'x', 'xx', 'x', 'x']);
      });

      it('a task that kills every worker fails with WorkerCrashedError saying how many attempts it had; the pool serves on', async () => {
        const pool = ctx.fresh();
        const error = (await rejectionOf(pool.apply(tasks.exit, [5], { retries: 2 }))) as Crashed;
        expect(error.name).toBe('WorkerCrashedError');
        expect(error.exitCode).toBe(5);
        expect(error.attempts).toBe(3);
        expect(error.message).toContain('It ran 3 times (retries: 2)');
        expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
      });

      it('imap yields every result before an item that kills every worker, then throws', async () => {
        const pool = ctx.fresh({ retries: 1 });
        const seen: unknown[] = [];
        const error = await rejectionOf(
          (async () => {
            for await (const value of pool.imap((n: number) => (n === 2 ? process.exit(6) : n), [0, 1, 2, 3])) {
              seen.push(value);
            }
          })(),
        );
        expect(error.name).toBe('WorkerCrashedError');
        expect((error as Crashed).attempts).toBe(2);
        expect(seen).toEqual([0, 1]);
      });

      it('never retried: a thrown error, a timeout, an abort', async () => {
        const pool = ctx.fresh({ retries: 3, grace: 200 });
        const dir = ctx.tempDir();
        expect((await rejectionOf(pool.apply(tasks.failAt, [1, 1]))).message).toBe('item 1 failed');
        const timedOut = await rejectionOf(pool.apply(tasks.awaitSignal, [dir, 60_000], { timeout: 300 }));
        expect(timedOut.name).toBe('TaskTimeoutError');
        const controller = new AbortController();
        const aborted = pool.apply(tasks.markThenHang, [dir, 'hang'], { signal: controller.signal });
        controller.abort(new Error('stop'));
        expect((await rejectionOf(aborted)).message).toBe('stop');
        // Each ran once: the counting task is run once per attempt.
        await pool.apply(tasks.countRun, [dir, 0, false]);
        expect(readFileSync(join(dir, 'run-0'), 'utf8')).toBe('x');
      });
    });
}
