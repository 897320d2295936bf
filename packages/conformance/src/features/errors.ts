import { readdirSync } from 'node:fs';
import { JOBS_AHEAD } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

export function errorsFeature(ctx: SuiteContext): void {
  describe('task errors', () => {
    it("a task's error keeps its name, message, own properties and the worker's stack", async () => {
      const real = await rejectionOf(
        ctx.shared().starmap(tasks.failAt, [
          [1, 2],
          [2, 2],
        ]),
      );
      expect(real).toBeInstanceOf(Error);
      expect(real.name).toBe('CustomTaskError');
      expect(real.message).toBe('item 2 failed');
      expect((real as Error & { code?: string }).code).toBe('E_CUSTOM');
      expect(real.stack).toMatch(/at failAt /);
    });

    it('built-in error classes stay instances of their class', async () => {
      const error = await rejectionOf(ctx.shared().map(tasks.failIfNegative, [1, -1]));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe('negative: -1');
      expect(error.stack).toContain('failIfNegative');
    });

    it('an async task that rejects fails the call with that error', async () => {
      const error = await rejectionOf(ctx.shared().apply(tasks.rejectAsync, ['nope']));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('nope');
    });

    it('a thrown string becomes an Error with that message', async () => {
      const error = await rejectionOf(ctx.shared().apply(tasks.throwString));
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('a thrown string');
    });

    it('a thrown undefined becomes an Error that says so', async () => {
      const error = await rejectionOf(ctx.shared().apply(tasks.throwUndefined));
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/undefined/);
    });

    it('map fails fast: it rejects while another chunk is still running', async () => {
      const pool = ctx.fresh();
      // Item 1 would run for a minute; the rejection must not wait for it.
      const error = await rejectionOf(
        pool.starmap(
          (ms: number, fail: boolean) =>
            new Promise((resolve, reject) => (fail ? reject(new Error('fast failure')) : setTimeout(resolve, ms))),
          [
            [0, true],
            [30_000, false],
          ],
          { chunksize: 1 },
        ),
      );
      expect(error.message).toBe('fast failure');
    });

    it('after a failure, chunks of that call not yet started never start', async () => {
      const pool = ctx.fresh({ processes: 1 });
      const dir = ctx.tempDir();
      const error = await rejectionOf(
        pool.starmap(
          tasks.markUnlessFirst,
          Array.from({ length: 20 }, (_, i) => [dir, i] as [string, number]),
          { chunksize: 1 },
        ),
      );
      expect(error.message).toBe('first item fails');
      await pool.apply(tasks.noArgs); // everything queued before this has settled
      // At most the one job already handed over beside the failing one may have run; with jobs ahead,
      // the ones its worker held ahead (it may start them before the caller hears of the failure).
      expect(readdirSync(dir).length).toBeLessThanOrEqual(ctx.capabilities.jobsAhead ? JOBS_AHEAD : 1);
    });

    it('an argument that cannot be cloned rejects that call; the pool keeps serving', async () => {
      const pool = ctx.shared();
      const error = await rejectionOf(pool.apply(tasks.identity, [() => 1]));
      expect(error.name).toBe('CloneError');
      expect(error.message).toMatch(/could not be/);
      expect(await pool.apply(tasks.square, [5])).toBe(25);
    });

    it('one uncloneable applyAsync argument does not fail the other calls of its tick', async () => {
      const pool = ctx.shared();
      const good = pool.applyAsync(tasks.identity, ['fine']);
      const bad = pool.applyAsync(tasks.identity, [Symbol('nope')]);
      expect(await good.get()).toBe('fine');
      expect((await rejectionOf(bad.get())).name).toBe('CloneError');
    });

    it('a result that cannot be cloned rejects that call; the pool keeps serving', async () => {
      const pool = ctx.shared();
      const error = await rejectionOf(pool.apply(tasks.returnFunction));
      expect(error.name).toBe('CloneError');
      expect(await pool.map(tasks.square, [1, 2])).toEqual([1, 4]);
    });

    it('an inline function that uses an outer variable fails with an error naming it', async () => {
      const factor = 3;
      const error = await rejectionOf(ctx.shared().map((n: number) => n * factor, [1]));
      expect(error.name).toBe('InlineTaskError');
      expect(error.message).toContain("'factor'");
      expect(error.message).toMatch(/argument|defineTasks/);
    });

    it('an inline function that wraps a task handle is told to pass the handle itself, not to pass it as an argument', async () => {
      const error = await rejectionOf(ctx.shared().map((n: number) => tasks.square(n), [2]));
      expect(error.name).toBe('InlineTaskError');
      expect((error as Error & { identifier?: string }).identifier).toBe('tasks');
      expect(error.message).toContain('pool.map(tasks.square, xs)');
      expect(error.message).not.toMatch(/pass 'tasks' as an argument/);
    });

    it('native and bound functions are refused at the call', async () => {
      const pool = ctx.shared();
      expect((await rejectionOf(pool.map(Math.sqrt, [4]))).name).toBe('TypeError');
      expect((await rejectionOf(pool.map(tasks.square.bind(null), [4]))).message).toMatch(/native and bound/);
    });

    it('bad arguments reject with a clear error and leave the pool usable', async () => {
      const pool = ctx.shared();
      expect(await rejectionOf(pool.map(tasks.square, [1], { chunksize: 0 }))).toBeInstanceOf(RangeError);
      expect(await rejectionOf(pool.map(tasks.square, [1], { chunksize: 1.5 }))).toBeInstanceOf(RangeError);
      expect(await rejectionOf(pool.map('square' as never, [1]))).toBeInstanceOf(TypeError);
      expect(await rejectionOf(pool.map(tasks.square, 5 as never))).toBeInstanceOf(TypeError);
      expect(await rejectionOf(pool.starmap(tasks.add, [5] as never))).toBeInstanceOf(TypeError);
      expect(await rejectionOf(pool.imap(tasks.square, [1], { chunksize: -1 }).next())).toBeInstanceOf(RangeError);
      expect(await pool.map(tasks.square, [3])).toEqual([9]);
    });

    it('bad pool options throw a RangeError at construction', () => {
      expect(() => ctx.fresh({ processes: 0 })).toThrow(RangeError);
      expect(() => ctx.fresh({ processes: 1.5 })).toThrow(RangeError);
      expect(() => ctx.fresh({ maxtasksperchild: 0 })).toThrow(RangeError);
    });
  });
}
