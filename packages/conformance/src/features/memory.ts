import { describe, expect, it } from 'vitest';
import { PROCESSES, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';

/** Bun's workers do not report the memory they hold reliably: there the option is refused (its own test). */
const onBun = (process.versions as Record<string, string | undefined>).bun !== undefined;

/**
 * A map whose every chunk leaves its worker's heap above the bound: each worker is recycled after
 * a job, while it may hold others ahead (thread workers) that must go elsewhere or end first.
 */
function recyclesUnderAMap(ctx: SuiteContext): void {
  it('a map whose every chunk leaves its worker above the bound runs to its end, every result in place', async () => {
    const pool = ctx.fresh({ maxmemoryperchild: 64, processes: PROCESSES });
    const megabytes = Array.from({ length: 8 }, () => 96);
    const ids = await pool.map(tasks.allocate, megabytes, { chunksize: 1 });
    expect(ids).toHaveLength(8);
    for (const id of ids) expect(typeof id).toBe('string');
    if (ctx.capabilities.observesWorkers) expect(pool.insights().replacements.recycle).toBeGreaterThan(0);
  });
}

export function memoryFeature(ctx: SuiteContext): void {
  // Declared only where it applies, so that the backends with worker events count no skipped test.
  if (!ctx.capabilities.observesWorkers && !ctx.capabilities.inProcess && !onBun)
    describe('maxmemoryperchild, without worker events', () => {
      // Without worker events (bullmq: the workers are the hosts' own), the replacement shows in which worker runs next.
      it('a worker whose heap is above the bound after a job is replaced: the next call runs on a fresh worker', async () => {
        const pool = ctx.fresh({ maxmemoryperchild: 64, processes: 1 });
        const calls = Array.from({ length: 12 }, () => 0);
        // Workers under the bound serve call after call (on bullmq, one per host whatever processes says).
        const before = new Set(await pool.map(tasks.workerId, calls, { chunksize: 1 }));
        const big = await pool.apply(tasks.allocate, [160]);
        expect(before).toContain(big);
        expect(await pool.map(tasks.workerId, calls, { chunksize: 1 })).not.toContain(big);
      });

      recyclesUnderAMap(ctx);
    });

  if (ctx.capabilities.observesWorkers && !ctx.capabilities.inProcess)
    describe('maxmemoryperchild', () => {
      // One test, not a skipped one per runtime: on Bun the option is refused (its workers do not report their memory reliably).
      it(`${onBun ? 'on Bun, refused at createPool saying what to use instead' : 'a worker whose heap is above the bound after a job is recycled (cause maxmemoryperchild) and replaced'}`, async () => {
        if (onBun) {
          expect(() => ctx.fresh({ maxmemoryperchild: 64, processes: 1 })).toThrow(
            expect.objectContaining({
              name: 'UnsupportedRuntimeError',
              message: expect.stringMatching(/maxtasksperchild/),
            }),
          );
          return;
        }
        const pool = ctx.fresh({ maxmemoryperchild: 64, processes: 1 });
        const recycled: unknown[] = [];
        pool.on('workerRecycle', (event) => recycled.push(event.cause));
        const small = await pool.apply(tasks.workerId, [0]);
        expect(await pool.apply(tasks.workerId, [0])).toBe(small); // under the bound: the same worker
        const big = await pool.apply(tasks.allocate, [160]);
        expect(big).toBe(small);
        await until(() => recycled.length === 1, 10_000, 'the recycle event');
        expect(recycled).toEqual(['maxmemoryperchild']);
        const next = await pool.apply(tasks.workerId, [0]);
        expect(next).not.toBe(big);
        const insights = pool.insights();
        expect(insights.replacements.recycle).toBe(1);
        expect(insights.workers.find((worker) => worker.ended)?.ended).toEqual({
          reason: 'recycle',
          cause: 'maxmemoryperchild',
        });
      });

      it('maxtasksperchild recycles say their cause too', async () => {
        const pool = ctx.fresh({ maxtasksperchild: 1, processes: 1 });
        const causes: unknown[] = [];
        pool.on('workerRecycle', (event) => causes.push(event.cause));
        await pool.apply(tasks.square, [2]);
        await until(() => causes.length === 1, 10_000, 'the recycle event');
        expect(causes).toEqual(['maxtasksperchild']);
      });

      if (!onBun) recyclesUnderAMap(ctx);
    });
}
