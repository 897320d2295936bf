import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';

export function abortFeature(ctx: SuiteContext): void {
  describe('AbortSignal', () => {
    it('an aborted signal rejects the call with its reason; the task never runs', async () => {
      const dir = ctx.tempDir();
      const reason = new Error('caller gave up');
      const signal = AbortSignal.abort(reason);
      const pool = ctx.shared();
      expect(await rejectionOf(pool.starmap(tasks.mark, [[dir, 'a']], { signal }))).toBe(reason);
      expect(await rejectionOf(pool.apply(tasks.mark, [dir, 'b'], { signal }))).toBe(reason);
      expect(await rejectionOf(pool.imap(tasks.square, [1], { signal }).next())).toBe(reason);
      await pool.apply(tasks.noArgs);
      expect(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b'))).toBe(false);
    });

    it('aborting while running rejects at once; queued chunks never start', async () => {
      const pool = ctx.fresh({ processes: 1 });
      const dir = ctx.tempDir();
      const controller = new AbortController();
      // Stoppable backends get a task that would run for 20 s; the others a short one.
      const ms = ctx.capabilities.stopsRunningJobs ? 20_000 : 300;
      const call = pool.starmap(
        tasks.markThenSleep,
        [0, 1, 2, 3].map((i) => [dir, `item-${i}`, ms] as [string, string, number]),
        { chunksize: 1, signal: controller.signal },
      );
      await until(() => existsSync(join(dir, 'item-0')), 10_000, 'the first item to start');
      controller.abort(new Error('stop'));
      expect((await rejectionOf(call)).message).toBe('stop');
      // The next call runs after whatever the aborted call left on the worker.
      if (ctx.capabilities.stopsRunningJobs) await pool.apply(tasks.noArgs);
      else await pool.apply(tasks.sleep, [ms + 50]);
      expect(existsSync(join(dir, 'item-2'))).toBe(false);
      expect(existsSync(join(dir, 'item-3'))).toBe(false);
    });

    it('a signal aborted after the call finished changes nothing', async () => {
      const controller = new AbortController();
      const out = await ctx.shared().map(tasks.square, [1, 2], { signal: controller.signal });
      controller.abort();
      expect(out).toEqual([1, 4]);
    });

    if (ctx.capabilities.stopsRunningJobs)
      it('a running job that is aborted is stopped and its worker replaced: the pool is back to full size', async () => {
        const pool = ctx.fresh();
        const dir = ctx.tempDir();
        const controller = new AbortController();
        const call = pool.apply(tasks.markThenSleep, [dir, 'long', 60_000], { signal: controller.signal });
        await until(() => existsSync(join(dir, 'long')), 10_000, 'the long task to start');
        controller.abort(new Error('stop'));
        await rejectionOf(call);
        // A barrier of all workers can only pass if the stopped worker was replaced.
        const barrierDir = join(dir, 'barrier');
        const all = await pool.starmap(
          tasks.barrier,
          Array.from({ length: PROCESSES }, () => [barrierDir, PROCESSES, 10_000] as [string, number, number]),
          { chunksize: 1 },
        );
        expect(all).toEqual(Array.from({ length: PROCESSES }, () => true));
      });
  });
}
