import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';
import { fullSize } from '../testing.js';

/** A grace period no passing test reaches: a task that hears its signal ends long before. */
const LONG_GRACE = 60_000;
/** A short grace period, for tasks that ignore their signal. */
const GRACE = 300;
/** How long the tasks would otherwise run (never reached by a passing test). */
const LONG = 60_000;

/**
 * taskSignal() beyond timeouts: a running task call's signal aborts when its caller aborts, when its
 * call fails fast, and on terminate(); a task that ignores it loses its worker after the grace period.
 */
export function taskSignalFeature(ctx: SuiteContext): void {
  const { signalsTasks, stopsRunningJobs, observesWorkers } = ctx.capabilities;
  const aborted = (dir: string) => join(dir, 'aborted');

  describe(`taskSignal() on a cancelled call (signalsTasks: ${signalsTasks})`, () => {
    it(
      signalsTasks
        ? "a task awaiting its taskSignal() hears its caller abort: the call rejects with the caller's reason, the task ends cleanly (AbortError), its worker stays"
        : 'a running task does not hear its caller abort: the call rejects with its reason, the task is stopped or dropped',
      async () => {
        const pool = ctx.fresh({ grace: LONG_GRACE });
        const dir = ctx.tempDir();
        const controller = new AbortController();
        const call = pool.apply(tasks.awaitSignal, [dir, LONG], { signal: controller.signal });
        await until(() => existsSync(join(dir, 'started')), 20_000, 'the task to start');
        const reason = new Error('the caller gave up');
        controller.abort(reason);
        expect(await rejectionOf(call)).toBe(reason);
        if (signalsTasks) {
          await until(() => existsSync(aborted(dir)), 20_000, 'the task to see its signal abort');
          expect(readFileSync(aborted(dir), 'utf8')).toBe('AbortError');
          expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
          // It ended within the grace period: its worker was not stopped.
          if (observesWorkers) expect(pool.insights().replacements.abort).toBe(0);
        } else {
          if (observesWorkers && stopsRunningJobs) expect(pool.insights().replacements.abort).toBe(1);
          expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
          expect(existsSync(aborted(dir))).toBe(false);
        }
      },
    );

    if (signalsTasks)
      it('a task that ignores its signal: the call rejects at once; after the grace period its worker is stopped and replaced, and the pool serves on', async () => {
        const pool = ctx.fresh({ grace: GRACE });
        const dir = ctx.tempDir();
        expect(await fullSize(pool, PROCESSES, join(dir, 'warm'))).toBe(true); // both workers up
        const controller = new AbortController();
        const call = pool.apply(tasks.ignoreSignal, [dir, stopsRunningJobs ? LONG : 1000], {
          signal: controller.signal,
        });
        await until(() => existsSync(join(dir, 'started')), 20_000, 'the task to start');
        controller.abort(new Error('stop'));
        expect((await rejectionOf(call)).message).toBe('stop');
        if (observesWorkers)
          await until(() => pool.insights().replacements.abort === 1, 20_000, 'the worker to be replaced');
        expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
        if (stopsRunningJobs) expect(existsSync(join(dir, 'ended'))).toBe(false);
      });

    if (signalsTasks)
      it("when its call fails fast, a running item's taskSignal() aborts: it ends cleanly and its worker stays", async () => {
        const pool = ctx.fresh({ grace: LONG_GRACE });
        const dir = ctx.tempDir();
        const error = await rejectionOf(
          pool.starmap(
            tasks.signalOrFail,
            [
              [dir, 'wait'],
              [dir, 'fail'],
            ],
            { chunksize: 1 },
          ),
        );
        expect(error.message).toBe('failed fast');
        await until(() => existsSync(aborted(dir)), 20_000, 'the running item to see its signal abort');
        expect(readFileSync(aborted(dir), 'utf8')).toBe('AbortError');
        expect(await fullSize(pool, PROCESSES, join(dir, 'barrier'))).toBe(true);
        if (observesWorkers) expect(pool.insights().replacements.abort).toBe(0);
      });

    if (signalsTasks)
      it("terminate() aborts a running task's taskSignal(): the call rejects with PoolTerminatedError and the task ends cleanly", async () => {
        const pool = ctx.fresh({ grace: LONG_GRACE });
        const dir = ctx.tempDir();
        const call = pool.apply(tasks.awaitSignal, [dir, LONG]);
        await until(() => existsSync(join(dir, 'started')), 20_000, 'the task to start');
        const rejected = rejectionOf(call);
        await pool.terminate();
        expect((await rejected).name).toBe('PoolTerminatedError');
        await until(() => existsSync(aborted(dir)), 20_000, 'the task to see its signal abort');
        expect(readFileSync(aborted(dir), 'utf8')).toBe('AbortError');
      });

    if (signalsTasks && stopsRunningJobs)
      it('terminate() with a task that ignores its signal ends after the grace period: its worker is stopped', async () => {
        const pool = ctx.fresh({ grace: GRACE });
        const dir = ctx.tempDir();
        const call = pool.apply(tasks.ignoreSignal, [dir, LONG]);
        await until(() => existsSync(join(dir, 'started')), 20_000, 'the task to start');
        const rejected = rejectionOf(call);
        await pool.terminate();
        expect((await rejected).name).toBe('PoolTerminatedError');
        expect(existsSync(join(dir, 'ended'))).toBe(false);
      });
  });
}
