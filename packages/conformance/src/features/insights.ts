import { join } from 'node:path';
import type { WorkerEvent } from '@parapool/core';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';
import { fullSize } from '../testing.js';

const EVENTS = ['workerStart', 'workerExit', 'workerCrash', 'workerRecycle', 'workerReplace'] as const;

/** Every worker event of `pool`, in order, as `[name, event]`. */
function record(pool: import('@parapool/core').Pool): Array<[string, WorkerEvent]> {
  const seen: Array<[string, WorkerEvent]> = [];
  for (const name of EVENTS) pool.on(name, (event: WorkerEvent) => seen.push([name, event]));
  return seen;
}

export function insightsFeature(ctx: SuiteContext): void {
  describe('insights and worker events', () => {
    it('counts add up: items run equal items submitted, per worker too; utilization is in [0, 1]', async () => {
      const pool = ctx.fresh();
      await pool.map(
        tasks.square,
        Array.from({ length: 20 }, (_, i) => i),
        { chunksize: 5 },
      );
      await Promise.all([1, 2, 3].map((n) => pool.apply(tasks.square, [n])));
      for await (const _ of pool.imap(tasks.square, [1, 2, 3, 4])) {
        // consume
      }
      const insights = pool.insights();
      expect(insights.backend).toBe(ctx.name);
      expect(insights.processes).toBe(PROCESSES);
      expect(insights.items).toEqual({ submitted: 27, completed: 27 });
      expect(insights.jobs.completed).toBe(insights.jobs.submitted);
      if (ctx.capabilities.observesWorkers) {
        expect(insights.workers.length).toBeGreaterThanOrEqual(1);
        expect(insights.workers.reduce((sum, w) => sum + w.items, 0)).toBe(27);
        expect(insights.workers.reduce((sum, w) => sum + w.jobs, 0)).toBe(insights.jobs.completed);
      } else {
        expect(insights.workers).toEqual([]); // the backend does not report its workers
      }
      for (const worker of insights.workers) {
        expect(worker.utilization).toBeGreaterThanOrEqual(0);
        expect(worker.utilization).toBeLessThanOrEqual(1);
        expect(worker.busyMs).toBeGreaterThanOrEqual(0);
        expect(worker.idleMs).toBeGreaterThanOrEqual(0);
      }
      expect(insights.work.count).toBe(insights.jobs.completed);
      expect(insights.queueWait.count).toBe(insights.jobs.submitted);
      expect(insights.slowest.length).toBeGreaterThan(0);
      expect(insights.slowest[0]?.task).toBe('square');
      expect(JSON.parse(JSON.stringify(insights))).toEqual(insights); // plain data
    });

    it(`loading a task module is the worker's start-up, not the job's work${ctx.capabilities.inProcess ? ' (in process: the caller loaded it already)' : ''}`, async () => {
      const pool = ctx.fresh();
      await pool.map(
        tasks.square,
        Array.from({ length: 2 * PROCESSES }, (_, i) => i),
        { chunksize: 1 },
      ); // workers up
      // The module busy-waits 300 ms as it loads; here in the caller too, before anything is timed.
      const { slowLoad } = await import('../slow-load-tasks.js');
      // The figures below are of the one call timed here; each worker's loading so far (the warm-up's modules) is kept.
      const loadedBefore = new Map(pool.insights({ reset: true }).workers.map((w) => [w.id, w.loadingMs ?? 0]));
      const before = performance.now();
      const [loadedIn] = await pool.map(slowLoad.loadedIn, [0]);
      // No timing bound: intervals nested in one another, which hold however busy the machine is.
      const around = performance.now() - before;
      const insights = pool.insights();
      if (ctx.capabilities.inProcess) {
        // The task ran where the caller had loaded its module: the job loaded nothing.
        expect(insights.workers.every((w) => w.loadingMs === undefined)).toBe(true);
        return;
      }
      expect(loadedIn).toBeGreaterThanOrEqual(300);
      // The job's work and its moving data leave out the module's loading, which happened inside the call...
      const slow = insights.slowest.find((s) => s.task === 'loadedIn');
      expect(slow?.ms).toBeLessThanOrEqual(around - (loadedIn as number));
      expect(insights.transfer.p95Ms).toBeLessThanOrEqual(around - (loadedIn as number));
      // ...and the worker that ran it counts it as its start-up.
      if (ctx.capabilities.observesWorkers) {
        const loaded = insights.workers.filter(
          (w) => (w.loadingMs ?? 0) - (loadedBefore.get(w.id) ?? 0) >= (loadedIn as number),
        );
        expect(loaded).toHaveLength(1);
        expect(loaded[0]?.loadingMs).toBeGreaterThanOrEqual(loadedIn as number);
        expect(loaded[0]?.startupMs).toBeGreaterThanOrEqual(loaded[0]?.loadingMs as number);
      }
    });

    it('insights({ reset: true }) starts a fresh window', async () => {
      const pool = ctx.fresh();
      await pool.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 });
      expect(pool.insights({ reset: true }).items.completed).toBe(4);
      const fresh = pool.insights();
      expect(fresh.items).toEqual({ submitted: 0, completed: 0 });
      expect(fresh.workers.reduce((sum, w) => sum + w.items, 0)).toBe(0);
      await pool.apply(tasks.square, [5]);
      expect(pool.insights().items.completed).toBe(1);
    });

    it(`maxtasksperchild shows as ${ctx.capabilities.observesWorkers ? 'recycle and replace events and as recycled workers' : 'no worker event: the backend does not report its workers'}`, async () => {
      const pool = ctx.fresh({ maxtasksperchild: 1 });
      const seen = record(pool);
      await pool.map(tasks.square, [1, 2, 3], { chunksize: 1 });
      if (!ctx.capabilities.observesWorkers) {
        expect(seen).toEqual([]);
        expect(pool.insights().replacements).toEqual({ crash: 0, recycle: 0, abort: 0, timeout: 0 });
        return;
      }
      const recycled = seen.filter(([name]) => name === 'workerRecycle');
      expect(recycled.length).toBeGreaterThanOrEqual(3);
      const replaced = seen.filter(([name]) => name === 'workerReplace');
      expect(replaced.every(([, e]) => e.reason === 'recycle' && typeof e.replacement?.id === 'number')).toBe(true);
      const insights = pool.insights();
      expect(insights.replacements.recycle).toBeGreaterThanOrEqual(3);
      expect(insights.workers.filter((w) => w.ended?.reason === 'recycle').length).toBe(insights.replacements.recycle);
    });

    if (ctx.capabilities.observesWorkers)
      it('every worker event has the same shape: a type, and a worker with a numeric id', async () => {
        const pool = ctx.fresh({ maxtasksperchild: 1 });
        const seen = record(pool);
        await fullSize(pool, PROCESSES, join(ctx.tempDir(), 'b'));
        await pool.map(tasks.square, [1, 2], { chunksize: 1 });
        pool.close();
        await pool.join();
        await until(() => seen.some(([name]) => name === 'workerExit'), 10_000, 'exit events');
        expect(new Set(seen.map(([name]) => name))).toEqual(
          new Set(['workerStart', 'workerExit', 'workerRecycle', 'workerReplace']),
        );
        for (const [name, event] of seen) {
          expect(`worker${event.type[0]?.toUpperCase()}${event.type.slice(1)}`).toBe(name);
          expect(typeof event.worker.id).toBe('number');
          if (event.worker.pid !== undefined) expect(typeof event.worker.pid).toBe('number');
        }
      });

    if (ctx.capabilities.isolatesCrashes && ctx.capabilities.observesWorkers)
      it('a crash shows as a workerCrash event with its error, a replacement, and a crashed worker in insights', async () => {
        const pool = ctx.fresh();
        const seen = record(pool);
        await pool.apply(tasks.square, [1]);
        expect((await rejectionOf(pool.apply(tasks.exit, [3]))).name).toBe('WorkerCrashedError');
        const crash = seen.find(([name]) => name === 'workerCrash')?.[1];
        expect(crash?.error?.name).toBe('WorkerCrashedError');
        const replace = seen.find(([name]) => name === 'workerReplace')?.[1];
        expect(replace?.reason).toBe('crash');
        expect(replace?.worker.id).toBe(crash?.worker.id);
        const insights = pool.insights();
        expect(insights.replacements.crash).toBe(1);
        const crashed = insights.workers.find((w) => w.id === crash?.worker.id);
        expect(crashed?.ended?.reason).toBe('crash');
        expect(crashed?.ended?.error).toMatch(/exited with code 3/);
        expect(insights.jobs.failed).toBe(1);
      });
  });
}
