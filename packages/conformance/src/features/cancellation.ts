import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';
import { fullSize } from '../testing.js';

/** The items of `dir` whose `gatedItem` started. */
function started(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('started-'))
    .map((name) => Number(name.slice('started-'.length)))
    .sort((a, b) => a - b);
}

const gatedArgs = (dir: string, n: number, failFirst: boolean) =>
  Array.from({ length: n }, (_, i) => [dir, i, failFirst] as [string, number, boolean]);

export function cancellationFeature(ctx: SuiteContext): void {
  describe('cancellation', () => {
    it('after a fail-fast, chunks not yet started never start; the running one is not killed', async () => {
      // The running items ignore their signal: a grace period they never reach lets them end.
      const pool = ctx.fresh({ grace: 60_000 });
      const dir = ctx.tempDir();
      expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
      const error = await rejectionOf(pool.starmap(tasks.gatedItem, gatedArgs(dir, 10, true), { chunksize: 1 }));
      expect(error.message).toBe('item 0 failed');
      writeFileSync(join(dir, 'gate'), '');
      // Both workers pass a barrier only once whatever the failed call left has run.
      expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
      // Item 1 runs on the other worker, unless the failure was heard before that worker took it (a
      // hand-over through Redis may be that slow). With jobs ahead, the worker of item 0 may have started
      // the chunk it held ahead (item 2) before the caller heard of the failure. No other item starts.
      const seen = started(dir);
      const allowed = [
        [0],
        [0, 1],
        ...(ctx.capabilities.jobsAhead
          ? [
              [0, 2],
              [0, 1, 2],
            ]
          : []),
      ];
      expect(allowed).toContainEqual(seen);
      // What started was not stopped: it ran to its end.
      for (const i of seen.filter((item) => item > 0)) expect(existsSync(join(dir, `ended-${i}`))).toBe(true);
    });

    it('after a break out of imap, chunks not yet started never start; running ones finish', async () => {
      const pool = ctx.fresh({ grace: 60_000 });
      const dir = ctx.tempDir();
      expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
      const items = Array.from({ length: 10 }, (_, i) => ({ dir, i }));
      for await (const value of pool.imap(tasks.gatedByIndex, items)) {
        expect(value).toBe(0); // item 0 returns at once; the others wait for the gate
        // Break only once another item runs, so that there is a running one to see finish. Which one
        // (1 or 2) is a race where a worker takes jobs ahead (a bullmq host may hold item 1 behind
        // item 0 while the other host runs item 2).
        await until(() => started(dir).length > 1, 10_000, 'a second item to start');
        break;
      }
      writeFileSync(join(dir, 'gate'), '');
      expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
      // At the break, item 0 was done and the two workers held at most items 1 and 2: nothing after them
      // started.
      const seen = started(dir);
      expect(seen[0]).toBe(0);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every((i) => i <= PROCESSES)).toBe(true);
      // What had started was not killed by the break.
      for (const i of seen.slice(1)) {
        await pool.apply(tasks.waitForFile, [join(dir, `ended-${i}`), 10_000]);
        expect(existsSync(join(dir, `ended-${i}`))).toBe(true);
      }
    });

    it(`aborting ${PROCESSES} tasks that never settle frees their workers: the pool still serves`, async () => {
      const pool = ctx.fresh();
      const dir = ctx.tempDir();
      for (let i = 0; i < PROCESSES; i++) {
        const controller = new AbortController();
        const call = pool.apply(tasks.markThenHang, [dir, `hang-${i}`], { signal: controller.signal });
        await until(() => existsSync(join(dir, `hang-${i}`)), 10_000, 'the task to start');
        controller.abort(new Error(`abort ${i}`));
        expect((await rejectionOf(call)).message).toBe(`abort ${i}`);
      }
      expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
    });

    it(`an aborted running task that ignores its signal gives its worker's place to a fresh one after the grace period${ctx.capabilities.stopsRunningJobs ? '' : '; without stopsRunningJobs the task itself runs on to its end'}`, async () => {
      const pool = ctx.fresh();
      const dir = ctx.tempDir();
      const controller = new AbortController();
      const call = pool.apply(tasks.gatedByIndex, [{ dir, i: 1 }], { signal: controller.signal });
      await until(() => existsSync(join(dir, 'started-1')), 10_000, 'the task to start');
      controller.abort(new Error('stop'));
      expect((await rejectionOf(call)).message).toBe('stop');
      // The task ignores its signal: its worker is replaced after the grace period (at once without signalsTasks).
      if (ctx.capabilities.observesWorkers)
        await until(() => pool.insights().replacements.abort === 1, 20_000, 'the worker to be replaced');
      expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
      if (!ctx.capabilities.stopsRunningJobs) {
        writeFileSync(join(dir, 'gate'), '');
        // The abandoned task finishes in the background: it records its end.
        await pool.apply(tasks.waitForFile, [join(dir, 'ended-1'), 10_000]);
        expect(existsSync(join(dir, 'ended-1'))).toBe(true);
      }
    });

    if (ctx.capabilities.stopsRunningJobs)
      it('aborting a running task: the call queued behind it on its worker runs elsewhere, once', async () => {
        const pool = ctx.fresh();
        const dir = ctx.tempDir();
        expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
        const controller = new AbortController();
        const hang = pool.apply(tasks.markThenHang, [dir, 'hang'], { signal: controller.signal });
        const busy = pool.apply(tasks.waitForFile, [join(dir, 'free'), 20_000]); // holds the other worker
        const after = pool.apply(tasks.countRun, [dir, 0, false]); // with jobsAhead: held by the first worker
        await until(() => existsSync(join(dir, 'hang')), 10_000, 'the task to start');
        controller.abort(new Error('stop'));
        expect((await rejectionOf(hang)).message).toBe('stop');
        // It runs on the aborted task's replacement while the other worker is still busy.
        expect(await after).toBe(0);
        expect(existsSync(join(dir, 'free'))).toBe(false);
        writeFileSync(join(dir, 'free'), '');
        expect(await busy).toBe(true);
        expect(readFileSync(join(dir, 'run-0'), 'utf8')).toBe('x');
      });

    it('a call waits behind a long task only while no other worker is free', async () => {
      const pool = ctx.fresh();
      const dir = ctx.tempDir();
      expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
      const long = pool.apply(tasks.gatedByIndex, [{ dir, i: 1 }]);
      await until(() => existsSync(join(dir, 'started-1')), 10_000, 'the long task to start');
      const short = pool.apply(tasks.waitForFile, [join(dir, 'short'), 20_000]);
      const after = pool.apply(tasks.countRun, [dir, 0, false]); // with jobsAhead: held by the long task's worker
      writeFileSync(join(dir, 'short'), '');
      expect(await short).toBe(true);
      // The worker set free by the short task takes it: it ends while the long task still runs.
      expect(await after).toBe(0);
      expect(existsSync(join(dir, 'ended-1'))).toBe(false);
      writeFileSync(join(dir, 'gate'), '');
      expect(await long).toBe(1);
    });

    it('one applyAsync call whose result cannot be cloned fails alone: its batch neighbours arrive, no task runs twice', async () => {
      const dir = ctx.tempDir();
      const pool = ctx.shared();
      const results = Array.from({ length: 20 }, (_, i) => pool.applyAsync(tasks.countRun, [dir, i, i === 5]));
      const outcomes = await Promise.allSettled(results.map((r) => r.get()));
      outcomes.forEach((outcome, i) => {
        if (i === 5) {
          expect(outcome.status).toBe('rejected');
          expect(((outcome as PromiseRejectedResult).reason as Error).name).toBe('CloneError');
        } else {
          expect(outcome).toEqual({ status: 'fulfilled', value: i });
        }
      });
      for (let i = 0; i < 20; i++) expect(readFileSync(join(dir, `run-${i}`), 'utf8')).toBe('x');
    });
  });
}
