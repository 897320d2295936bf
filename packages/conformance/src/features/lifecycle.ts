import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

export function lifecycleFeature(ctx: SuiteContext): void {
  describe('close, join, terminate', () => {
    it('reports its backend name and size', () => {
      const pool = ctx.fresh({ processes: 3 });
      expect(pool.backend).toBe(ctx.name);
      expect(pool.processes).toBe(3);
    });

    it('close() lets submitted work finish; join() waits for it', async () => {
      const pool = ctx.fresh();
      const pending = pool.starmap(tasks.sleep, [
        [30, 'a'],
        [30, 'b'],
        [30, 'c'],
      ]);
      pool.close();
      await pool.join();
      expect(await pending).toEqual(['a', 'b', 'c']);
    });

    it('every call after close() rejects with PoolStateError', async () => {
      const pool = ctx.fresh();
      pool.close();
      expect((await rejectionOf(pool.map(tasks.square, [1]))).name).toBe('PoolStateError');
      expect((await rejectionOf(pool.starmap(tasks.add, [[1, 2]]))).name).toBe('PoolStateError');
      expect((await rejectionOf(pool.apply(tasks.square, [1]))).name).toBe('PoolStateError');
      expect((await rejectionOf(pool.applyAsync(tasks.square, [1]).get())).name).toBe('PoolStateError');
      expect((await rejectionOf(pool.mapAsync(tasks.square, [1]).get())).name).toBe('PoolStateError');
      const error = await rejectionOf(pool.imap(tasks.square, [1]).next());
      expect(error.name).toBe('PoolStateError');
      expect(error.message).toMatch(/not running/);
      await pool.join();
    });

    it('every call after terminate() rejects with PoolStateError', async () => {
      const pool = ctx.fresh();
      await pool.terminate();
      expect((await rejectionOf(pool.map(tasks.square, [1]))).name).toBe('PoolStateError');
      expect((await rejectionOf(pool.imapUnordered(tasks.square, [1]).next())).name).toBe('PoolStateError');
      await pool.join();
    });

    it('join() before close() or terminate() rejects with PoolStateError', async () => {
      const pool = ctx.fresh();
      expect((await rejectionOf(pool.join())).name).toBe('PoolStateError');
      expect(await pool.apply(tasks.square, [2])).toBe(4);
    });

    it('an imap open at close() keeps yielding lazily to its consumer; join() waits until it is consumed', async () => {
      const pool = ctx.fresh();
      let pulled = 0;
      function* naturals() {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      }
      const it = pool.imap(tasks.square, naturals());
      expect((await it.next()).value).toBe(0);
      pool.close();
      let joined = false;
      const join = pool.join().then(() => {
        joined = true;
      });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await it.next()).value as number);
      expect(out).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) ** 2));
      // Reading stays at the consumer's pace: a bounded window ahead, never the rest of the input.
      const pulledNow = pulled;
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(pulled).toBe(pulledNow);
      expect(pulled).toBeLessThan(21 + 64);
      expect(joined).toBe(false);
      await it.return?.();
      await join;
      expect(joined).toBe(true);
    });

    it('an imap open at close() is served to its end; join() resolves once it is', async () => {
      const pool = ctx.fresh();
      const it = pool.imap(tasks.square, [1, 2, 3]);
      pool.close();
      const join = pool.join();
      const out: number[] = [];
      for await (const value of it) out.push(value);
      expect(out).toEqual([1, 4, 9]);
      await join;
    });

    it('terminate() settles every pending promise with PoolTerminatedError', async () => {
      const pool = ctx.fresh();
      const mapped = pool.starmap(tasks.sleep, [
        [20_000, 1],
        [20_000, 2],
        [20_000, 3],
        [20_000, 4],
        [20_000, 5],
      ]);
      const applied = pool.applyAsync(tasks.sleep, [20_000, 'x']);
      const it = pool.imap((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)), [20_000]);
      const next = it.next();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const settled = [mapped, applied.get(), next].map((pending) => rejectionOf(pending));
      await pool.terminate();
      for (const error of await Promise.all(settled)) expect(error.name).toBe('PoolTerminatedError');
      expect(applied.ready()).toBe(true);
    });

    it('await using closes the pool and waits for its work at scope end', async () => {
      let escaped: import('@parapool/core').Pool | undefined;
      let pending: Promise<number[]> | undefined;
      {
        await using pool = ctx.fresh();
        escaped = pool;
        pending = pool.map(tasks.square, [1, 2, 3]);
      }
      // The work finished before the scope was left.
      expect(await Promise.race([pending, Promise.resolve('not yet')])).toEqual([1, 4, 9]);
      expect((await rejectionOf(escaped.map(tasks.square, [1]))).name).toBe('PoolStateError');
    });
  });
}
