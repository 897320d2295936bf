import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from '@parapool/core';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';
import { fullSize } from '../testing.js';

/** A task's timeout here: short, yet far above what a call that returns at once takes on busy cores. */
const TIMEOUT = 300;
/** The grace period of these pools. */
const GRACE = 300;
/** How long the tasks that overrun would otherwise run (never reached by a passing test). */
const LONG = 60_000;

type TimedOut = Error & { task?: string; index?: number; timeout?: number };

/** Runs `count` quick calls beside whatever runs, and says that each ran once and gave its value. */
async function quickCalls(pool: Pool, dir: string, count: number): Promise<void> {
  const values = await Promise.all(
    Array.from({ length: count }, (_, i) => pool.apply(tasks.countRun, [dir, i, false])),
  );
  expect(values).toEqual(Array.from({ length: count }, (_, i) => i));
  for (let i = 0; i < count; i++) expect(readFileSync(join(dir, `run-${i}`), 'utf8')).toBe('x');
}

export function timeoutsFeature(ctx: SuiteContext): void {
  const { stopsRunningJobs, observesWorkers } = ctx.capabilities;

  describe('timeout and taskSignal()', () => {
    it('a task that awaits its taskSignal() ends cleanly at its timeout: the call fails with TaskTimeoutError naming the task and item', async () => {
      const pool = ctx.fresh({ grace: GRACE });
      const dir = ctx.tempDir();
      const error = (await rejectionOf(pool.apply(tasks.awaitSignal, [dir, LONG], { timeout: TIMEOUT }))) as TimedOut;
      expect(error.name).toBe('TaskTimeoutError');
      expect(error).toBeInstanceOf(Error);
      expect(error.task).toBe('awaitSignal');
      expect(error.index).toBe(0);
      expect(error.timeout).toBe(TIMEOUT);
      expect(error.message).toContain(`awaitSignal item 0 ran longer than its timeout of ${TIMEOUT} ms`);
      // The task saw its signal abort, with the same error as its reason.
      expect(readFileSync(join(dir, 'aborted'), 'utf8')).toBe('TaskTimeoutError');
      // It ended within the grace period: its worker stays.
      expect(await pool.apply(tasks.square, [7])).toBe(49);
      if (observesWorkers) expect(pool.insights().replacements.timeout).toBe(0);
    });

    it("the pool's timeout is every call's default, and a call's own wins", async () => {
      const pool = ctx.fresh({ timeout: TIMEOUT, grace: GRACE });
      const dir = ctx.tempDir();
      const error = (await rejectionOf(
        pool.starmap(tasks.awaitSignal, [[dir, LONG]] as [string, number][], { chunksize: 1 }),
      )) as TimedOut;
      expect(error.name).toBe('TaskTimeoutError');
      expect(error.message).toContain('starmap awaitSignal item 0');
      // A longer timeout of the call's own lets a task that takes longer than the pool's finish.
      expect(await pool.apply(tasks.sleep, [TIMEOUT * 2, 'slow but allowed'], { timeout: 20_000 })).toBe(
        'slow but allowed',
      );
      expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    });

    it('in a map, the item past its timeout fails the call with its index, as a thrown error would', async () => {
      const pool = ctx.fresh({ grace: GRACE });
      const dir = ctx.tempDir();
      const items = [0, 1, 2, 3].map((i) => [i === 2 ? dir : ctx.tempDir(), i === 2 ? LONG : 1] as [string, number]);
      const error = (await rejectionOf(
        pool.starmap(tasks.awaitSignal, items, { chunksize: 1, timeout: TIMEOUT }),
      )) as TimedOut;
      expect(error.name).toBe('TaskTimeoutError');
      expect(error.index).toBe(2);
      expect(error.message).toContain('starmap awaitSignal item 2');
    });

    it('imap yields what came before the item past its timeout, then throws TaskTimeoutError', async () => {
      const pool = ctx.fresh({ grace: GRACE });
      const seen: unknown[] = [];
      const items = [10, 20, LONG, 30];
      const error = await rejectionOf(
        (async () => {
          for await (const value of pool.imap(
            (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
            items,
            { timeout: TIMEOUT },
          )) {
            seen.push(value);
          }
        })(),
      );
      expect(error.name).toBe('TaskTimeoutError');
      expect((error as TimedOut).index).toBe(2);
      expect(seen).toEqual([10, 20]);
    });

    it('an AsyncResult rejects with TaskTimeoutError and its errorCallback runs', async () => {
      const pool = ctx.fresh({ grace: GRACE });
      const dir = ctx.tempDir();
      const heard: Error[] = [];
      const result = pool.applyAsync(tasks.awaitSignal, [dir, LONG], {
        timeout: TIMEOUT,
        errorCallback: (error) => heard.push(error),
      });
      expect((await rejectionOf(result.get())).name).toBe('TaskTimeoutError');
      expect(result.successful()).toBe(false);
      expect(heard.map((error) => error.name)).toEqual(['TaskTimeoutError']);
    });

    it(`a task that ignores its signal: the caller is told at once; ${stopsRunningJobs ? 'after the grace period its worker is stopped and replaced' : 'the task runs on (the backend cannot stop it), its result dropped'}; the calls beside and behind it run, each once`, async () => {
      const pool = ctx.fresh({ grace: GRACE });
      const dir = ctx.tempDir();
      expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
      const late = pool.apply(tasks.ignoreSignal, [dir, stopsRunningJobs ? LONG : 2000], { timeout: TIMEOUT });
      await until(() => existsSync(join(dir, 'started')), 10_000, 'the task to start');
      // Calls queued behind it (held ahead on its worker, where the backend does that) and beside it.
      const behind = quickCalls(pool, join(ctx.tempDir()), 6);
      const error = (await rejectionOf(late)) as TimedOut;
      expect(error.name).toBe('TaskTimeoutError');
      expect(error.task).toBe('ignoreSignal');
      // Told at once: the task itself still runs (it ignores its signal).
      expect(existsSync(join(dir, 'ended'))).toBe(false);
      await behind;
      if (observesWorkers)
        await until(() => pool.insights().replacements.timeout === 1, 20_000, 'the worker to be replaced');
      if (observesWorkers) {
        const ended = pool.insights().workers.filter((worker) => worker.ended?.reason === 'timeout');
        expect(ended.length).toBe(1);
      }
      expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
      if (!stopsRunningJobs) {
        // Not stopped: the abandoned task runs to its end in the background.
        await pool.apply(tasks.waitForFile, [join(dir, 'ended'), 20_000]);
        expect(existsSync(join(dir, 'ended'))).toBe(true);
      } else {
        expect(existsSync(join(dir, 'ended'))).toBe(false);
      }
    });

    it(`on a pool of one worker, the calls queued behind a task that ignores its signal run, each once, ${stopsRunningJobs ? 'once its worker is replaced' : 'after it'}`, async () => {
      // Held ahead on that worker (where the backend does that), they must not be stopped with it.
      const pool = ctx.fresh({ grace: GRACE, processes: 1 });
      const dir = ctx.tempDir();
      expect(await pool.apply(tasks.square, [3])).toBe(9); // the worker is up
      const late = pool.apply(tasks.ignoreSignal, [dir, stopsRunningJobs ? LONG : 2000], { timeout: TIMEOUT });
      await until(() => existsSync(join(dir, 'started')), 10_000, 'the task to start');
      const behind = quickCalls(pool, ctx.tempDir(), 6);
      expect(((await rejectionOf(late)) as TimedOut).name).toBe('TaskTimeoutError');
      await behind;
    });

    if (!ctx.capabilities.inProcess)
      it('a task spinning in a synchronous loop fails with TaskTimeoutError; its worker is stopped and replaced, and the pool serves on', async () => {
        const pool = ctx.fresh({ grace: GRACE });
        // Workers up and past their first job (whose start-up the caller does not count as the task's time).
        expect(await fullSize(pool, PROCESSES, join(ctx.tempDir(), 'warm'))).toBe(true);
        const error = (await rejectionOf(pool.apply(tasks.spin, [LONG], { timeout: TIMEOUT }))) as TimedOut;
        expect(error.name).toBe('TaskTimeoutError');
        expect(error.task).toBe('spin');
        expect(error.index).toBe(0);
        if (observesWorkers) expect(pool.insights().replacements.timeout).toBe(1);
        expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
        expect(await fullSize(pool, PROCESSES, join(ctx.tempDir(), 'b'))).toBe(true);
      });

    // A stuck call ends only with its worker: not declared where the pool runs in the caller's thread.
    if (!ctx.capabilities.inProcess) {
      it('a call stuck in a synchronous loop at item 2 of a chunk of 4 fails the map with TaskTimeoutError at index 2: items 0 and 1 ran once, item 3 never started', async () => {
        const pool = ctx.fresh({ processes: 1, grace: GRACE });
        const dir = ctx.tempDir();
        const items = [0, 1, 2, 3].map((i) => [dir, i, 2] as [string, number, number]);
        const error = (await rejectionOf(
          pool.starmap(tasks.countRunSpinAt, items, { chunksize: 4, timeout: TIMEOUT }),
        )) as TimedOut;
        expect(error.name).toBe('TaskTimeoutError');
        expect(error.task).toBe('countRunSpinAt');
        expect(error.index).toBe(2);
        expect(error.message).toContain('starmap countRunSpinAt item 2');
        expect([0, 1, 2].map((i) => readFileSync(join(dir, `run-${i}`), 'utf8'))).toEqual(['x', 'x', 'x']);
        expect(existsSync(join(dir, 'run-3'))).toBe(false);
        if (observesWorkers) expect(pool.insights().replacements.timeout).toBe(1);
        expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
      });

      it('imap over chunks of 4 with a call stuck in a synchronous loop at item 6 yields every item before it (4 and 5 of its own chunk too), then throws TaskTimeoutError at index 6', async () => {
        const pool = ctx.fresh({ processes: 1, grace: GRACE });
        const dir = ctx.tempDir();
        const seen: unknown[] = [];
        const error = (await rejectionOf(
          (async () => {
            for await (const value of pool.imap(
              tasks.countRunSpinAtOf,
              Array.from({ length: 8 }, (_, i) => ({ dir, i, spinAt: 6 })),
              { chunksize: 4, timeout: TIMEOUT },
            )) {
              seen.push(value);
            }
          })(),
        )) as TimedOut;
        expect(error.name).toBe('TaskTimeoutError');
        expect(error.index).toBe(6);
        expect(error.message).toContain('imap countRunSpinAtOf item 6');
        // Items 4 and 5 were recorded as they ended (thread workers in shared memory, worker processes
        // in memory their watch thread wrote out before it ended the process).
        expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
        expect([4, 5, 6].map((i) => readFileSync(join(dir, `run-${i}`), 'utf8'))).toEqual(['x', 'x', 'x']);
        expect(existsSync(join(dir, 'run-7'))).toBe(false);
      });

      it('imapUnordered over one chunk of 4 with a call stuck in a synchronous loop at item 2 yields items 0 and 1, then throws TaskTimeoutError at index 2', async () => {
        const pool = ctx.fresh({ processes: 1, grace: GRACE });
        const dir = ctx.tempDir();
        const seen: unknown[] = [];
        const error = (await rejectionOf(
          (async () => {
            for await (const value of pool.imapUnordered(
              tasks.countRunSpinAtOf,
              Array.from({ length: 4 }, (_, i) => ({ dir, i, spinAt: 2 })),
              { chunksize: 4, timeout: TIMEOUT },
            )) {
              seen.push(value);
            }
          })(),
        )) as TimedOut;
        expect(error.name).toBe('TaskTimeoutError');
        expect(error.index).toBe(2);
        expect(seen.sort()).toEqual([0, 1]);
        expect(existsSync(join(dir, 'run-3'))).toBe(false);
        expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
      });
    }

    it('a synchronous task that returns after its timeout fails with TaskTimeoutError all the same', async () => {
      const pool = ctx.fresh({ grace: 20_000 });
      const error = (await rejectionOf(
        pool.apply(tasks.spin, [TIMEOUT * 3, 'late'], { timeout: TIMEOUT }),
      )) as TimedOut;
      expect(error.name).toBe('TaskTimeoutError');
      expect(await pool.apply(tasks.square, [5])).toBe(25);
    });

    it('a timeout that never fires changes nothing: values, order and errors as without it (the longest one a timer takes, too)', async () => {
      // 2^31 - 1 ms: a chunk's items together may take longer than a Node timer can wait.
      const pool = ctx.fresh({ timeout: 2 ** 31 - 1 });
      const xs = Array.from({ length: 500 }, (_, i) => i);
      expect(await pool.map(tasks.square, xs)).toEqual(xs.map((x) => x * x));
      expect(await pool.map(tasks.asyncSquare, xs.slice(0, 50))).toEqual(xs.slice(0, 50).map((x) => x * x));
      expect(
        (
          await rejectionOf(
            pool.starmap(
              tasks.failAt,
              xs.map((x) => [x, 7] as [number, number]),
            ),
          )
        ).message,
      ).toBe('item 7 failed');
    });

    it('taskSignal() outside a task is a signal that never aborts', async () => {
      const { taskSignal } = await import('@parapool/core');
      expect(taskSignal().aborted).toBe(false);
    });
  });

  describe('timeout, retries, maxmemoryperchild, grace: bad input', () => {
    it.each([
      ['timeout', 0, RangeError, 'number 0'],
      ['timeout', -5, RangeError, 'number -5'],
      ['timeout', 1.5, RangeError, 'number 1.5'],
      ['timeout', '300', TypeError, 'the string "300"'],
      ['retries', -1, RangeError, 'number -1'],
      ['retries', 2.5, RangeError, 'number 2.5'],
      ['retries', true, TypeError, 'boolean true'],
      ['maxmemoryperchild', 0, RangeError, 'number 0'],
      ['maxmemoryperchild', '64', TypeError, 'the string "64"'],
      ['grace', -1, RangeError, 'number -1'],
      ['timeout', 2 ** 31, RangeError, `number ${2 ** 31}`],
    ])('createPool({ %s: %j }) throws a %O naming the option and what it got', (option, value, Type, got) => {
      let thrown: unknown;
      try {
        ctx.fresh({ [option]: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Type);
      expect((thrown as Error).message).toContain(`${option} must be an integer`);
      expect((thrown as Error).message).toContain(got);
    });

    it('a call with a bad timeout or retries rejects at the call, naming it; the pool serves on', async () => {
      const pool = ctx.shared();
      const map = await rejectionOf(pool.map(tasks.square, [1], { timeout: 0 }));
      expect(map).toBeInstanceOf(RangeError);
      expect(map.message).toContain('timeout must be an integer ≥ 1');
      const apply = await rejectionOf(pool.apply(tasks.square, [1], { retries: 'x' as never }));
      expect(apply).toBeInstanceOf(TypeError);
      expect(apply.message).toContain('retries must be an integer ≥ 0');
      const imap = await rejectionOf(pool.imap(tasks.square, [1], { timeout: -1 }).next());
      expect(imap).toBeInstanceOf(RangeError);
      expect(await pool.apply(tasks.square, [3])).toBe(9);
    });
  });
}
