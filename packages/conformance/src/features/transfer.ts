import { transfer } from '@parapool/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

/** Values marked with `transfer()`: moved on a backend that declares `transfers`, copied on the others. */
export function transferFeature(ctx: SuiteContext): void {
  const moves = ctx.capabilities.transfers;
  const what = moves ? "moved: the sender's copy is detached" : 'copied: the sender keeps its own';

  describe(`transfer() (${moves ? 'moves buffers' : 'copies: the backend cannot move memory'})`, () => {
    it(`an argument marked with transfer() arrives whole and is ${what}`, async () => {
      const data = Float64Array.from({ length: 1000 }, (_, i) => i / 4);
      const described = await ctx.shared().apply(tasks.describeArray, [transfer(data)]);
      expect(described).toEqual({ type: 'Float64Array', length: 1000, sum: (999 * 1000) / 8, first: 0 });
      expect(data.byteLength).toBe(moves ? 0 : 8000);
    });

    it(`map items marked with transfer() arrive whole, each in its own call, and are ${what}`, async () => {
      const items = Array.from({ length: 6 }, (_, k) => new Float64Array(10).fill(k));
      const out = await ctx.shared().map(tasks.describeArray, items.map(transfer), { chunksize: 2 });
      expect(out.map((d) => d.sum)).toEqual([0, 10, 20, 30, 40, 50]);
      expect(items.map((item) => item.byteLength)).toEqual(items.map(() => (moves ? 0 : 80)));
    });

    it('one buffer marked twice in one call crosses once (a transfer list names it once)', async () => {
      const data = transfer(new Float64Array([1, 2, 3]));
      const out = await ctx.shared().starmap(tasks.describeArray, [[data], [data]], { chunksize: 2 });
      expect(out.map((d) => d.sum)).toEqual([6, 6]);
      expect(data.byteLength).toBe(moves ? 0 : 24);
    });

    it(`a result marked with transfer() in the task arrives whole${moves ? ' and is detached in the worker' : ''}`, async () => {
      // One worker, so the second call sees the first one's module state.
      const pool = ctx.fresh({ processes: 1 });
      const result = await pool.apply(tasks.keepAndTransfer, [500]);
      expect(result).toBeInstanceOf(Float64Array);
      expect(result.length).toBe(500);
      expect(result[499]).toBe(499);
      // (Without `transfers`, what the worker keeps is the worker's business: a BullMQ host may move it to its own main thread.)
      if (moves) expect(await pool.apply(tasks.keptByteLength)).toBe(0);
    });

    it('a buffer moved already cannot be sent again: the call rejects with a CloneError that says so; the pool goes on', async () => {
      const data = new Float64Array(8);
      const pool = ctx.shared();
      await pool.apply(tasks.describeArray, [transfer(data)]);
      if (!moves) {
        expect(data.byteLength).toBe(64); // copied: it can be sent again
        return;
      }
      const error = await pool.apply(tasks.describeArray, [data]).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'CloneError', message: expect.stringMatching(/detached/) });
      expect(() => transfer(data)).toThrow(/moved to another thread already/);
      expect(await pool.apply(tasks.square, [3])).toBe(9);
    });

    it('an argument the worker received can be handed back with transfer(), whatever view of a message buffer the runtime made of it', async () => {
      // A process worker's IPC decoder may give a typed array as a view into the
      // larger message buffer, depending on where it falls in the message: the
      // padding strings move it through every alignment.
      const data = Float64Array.from({ length: 2000 }, (_, i) => i);
      const pool = ctx.shared();
      const out = await Promise.all(
        Array.from({ length: 16 }, (_, pad) => pool.apply(tasks.returnReceived, ['x'.repeat(pad), data.slice()])),
      );
      expect(out.map((a) => [a.length, a[1999]])).toEqual(out.map(() => [2000, 1999]));
      // A thread receives a clone of the whole buffer a view shows part of: a view of part of it again.
      const part = Float64Array.from({ length: 4000 }, (_, i) => i).subarray(1000, 3000);
      const back = await pool.apply(tasks.returnReceived, ['', part]);
      expect([back.length, back[0], back[1999]]).toEqual([2000, 1000, 2999]);
      expect(part.byteLength).toBe(16000); // never marked in the caller: never moved
    });

    it('transfer() of a value that cannot be moved fails that task with a TypeError that says what can be', async () => {
      const error = await ctx
        .shared()
        .apply(tasks.transferString)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'TypeError',
        message: expect.stringMatching(/moves an ArrayBuffer or a typed array/),
      });
    });
  });
}
