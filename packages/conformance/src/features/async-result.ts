import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

export function asyncResultFeature(ctx: SuiteContext): void {
  describe('AsyncResult', () => {
    it('callback runs once with the result, before get() resolves', async () => {
      const calls: unknown[] = [];
      const errors: unknown[] = [];
      const result = ctx.shared().applyAsync(tasks.add, [1, 2], {
        callback: (value) => calls.push(value),
        errorCallback: (error) => errors.push(error),
      });
      const value = await result.get();
      expect(value).toBe(3);
      expect(calls).toEqual([3]);
      expect(errors).toEqual([]);
    });

    it('mapAsync calls its callback once with the whole list', async () => {
      const calls: unknown[] = [];
      await ctx
        .shared()
        .mapAsync(tasks.square, [1, 2, 3], { callback: (list) => calls.push(list) })
        .get();
      expect(calls).toEqual([[1, 4, 9]]);
    });

    it('errorCallback runs once with the error, before get() rejects; callback never runs', async () => {
      const calls: unknown[] = [];
      const errors: Error[] = [];
      const result = ctx.shared().starmapAsync(
        tasks.failAt,
        [
          [1, 1],
          [2, 2],
        ],
        { chunksize: 1, callback: (v) => calls.push(v), errorCallback: (e) => errors.push(e) },
      );
      const error = await rejectionOf(result.get());
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBe(error);
      expect(calls).toEqual([]);
      expect(result.successful()).toBe(false);
    });

    it('a callback that throws rejects that result with its error; the pool is unaffected', async () => {
      const pool = ctx.shared();
      const errors: Error[] = [];
      const result = pool.applyAsync(tasks.square, [3], {
        callback: () => {
          throw new Error('callback broke');
        },
        errorCallback: (e) => errors.push(e),
      });
      expect((await rejectionOf(result.get())).message).toBe('callback broke');
      expect(result.ready()).toBe(true);
      expect(result.successful()).toBe(false);
      expect(errors).toEqual([]);
      expect(await pool.apply(tasks.square, [4])).toBe(16);
    });

    it('successful() throws before the result is ready, then tells the outcome', async () => {
      const result = ctx.shared().applyAsync(tasks.sleep, [50, 'done']);
      expect(result.ready()).toBe(false);
      expect(() => result.successful()).toThrow(expect.objectContaining({ name: 'NotReadyError' }));
      await result.wait();
      expect(result.ready()).toBe(true);
      expect(result.successful()).toBe(true);
    });

    it('get(timeout) rejects with TimeoutError while the work goes on', async () => {
      const result = ctx.shared().applyAsync(tasks.sleep, [300, 'late']);
      const error = await rejectionOf(result.get(5));
      expect(error.name).toBe('TimeoutError');
      expect(await result.get()).toBe('late');
    });

    it('wait(timeout) resolves without the result being ready', async () => {
      const result = ctx.shared().applyAsync(tasks.sleep, [300, 'late']);
      await result.wait(5);
      expect(result.ready()).toBe(false);
      await result.wait();
      expect(result.ready()).toBe(true);
    });

    it('an AsyncResult is awaitable', async () => {
      expect(await ctx.shared().applyAsync(tasks.square, [7])).toBe(49);
    });

    it('a failed AsyncResult nobody awaits does not crash the program', async () => {
      const result = ctx.shared().applyAsync(tasks.throwString);
      await result.wait();
      expect(result.successful()).toBe(false);
    });
  });
}
