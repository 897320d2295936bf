import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

export function imapFeature(ctx: SuiteContext): void {
  describe('imap and imapUnordered', () => {
    it('imap yields results in input order', async () => {
      const xs = Array.from({ length: 30 }, (_, i) => i);
      expect(await collect(ctx.shared().imap(tasks.square, xs))).toEqual(xs.map((x) => x * x));
      expect(await collect(ctx.shared().imap(tasks.square, xs, { chunksize: 7 }))).toEqual(xs.map((x) => x * x));
    });

    it('imap sends one item per job by default', async () => {
      const stamps = await collect(ctx.shared().imap(tasks.jobStamp, [1, 2, 3, 4, 5]));
      expect(new Set(stamps).size).toBe(5);
    });

    it('imapUnordered yields in completion order', async () => {
      const dir = ctx.tempDir();
      const gate = join(dir, 'gate');
      // The first item cannot finish until the test opens the gate, which it does
      // only after receiving a result: that result must be the second item's.
      const it = ctx.shared().imapUnordered(tasks.rendezvousItem, [
        { path: gate, role: 'wait' as const },
        { path: join(dir, 'other'), role: 'create' as const },
      ]);
      expect((await it.next()).value).toBe('create');
      writeFileSync(gate, '');
      expect((await it.next()).value).toBe('wait');
      expect((await it.next()).done).toBe(true);
    });

    it('imapUnordered yields every result exactly once', async () => {
      const xs = Array.from({ length: 25 }, (_, i) => i);
      const out = await collect(ctx.shared().imapUnordered(tasks.square, xs, { chunksize: 4 }));
      expect(out.sort((a, b) => a - b)).toEqual(xs.map((x) => x * x));
    });

    it('imap reads an endless generator lazily, consumed step by step', async () => {
      let pulled = 0;
      function* naturals() {
        for (let i = 0; ; i++) {
          pulled++;
          if (pulled > 10_000) throw new Error('imap read far ahead of its consumer');
          yield i;
        }
      }
      const it = ctx.shared().imap(tasks.square, naturals());
      const firsts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const step = await it.next();
        firsts.push(step.value as number);
      }
      expect(firsts).toEqual([0, 1, 4, 9, 16]);
      const pulledAfterFive = pulled;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pulled).toBe(pulledAfterFive); // nothing is read while nobody consumes
      expect(pulled).toBeLessThan(5 + 64);
      await it.return?.();
    });

    it('imap reads an async iterable', async () => {
      async function* source() {
        for (let i = 1; i <= 4; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield i;
        }
      }
      expect(await collect(ctx.shared().imap(tasks.square, source(), { chunksize: 3 }))).toEqual([1, 4, 9, 16]);
    });

    it('imap yields every result before a failing item, then throws and ends', async () => {
      const it = ctx.shared().imap(tasks.failIfNegative, [1, 2, -3, 4, 5]);
      const seen: number[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const value of it) seen.push(value);
        })(),
      );
      expect(seen).toEqual([1, 2]);
      expect(error).toBeInstanceOf(RangeError);
      expect(await it.next()).toEqual({ value: undefined, done: true });
    });

    it('imap within a chunk yields the items before the failing one', async () => {
      const seen: number[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const value of ctx.shared().imap(tasks.failIfNegative, [1, 2, -3, 4], { chunksize: 4 }))
            seen.push(value);
        })(),
      );
      expect(seen).toEqual([1, 2]);
      expect(error.message).toBe('negative: -3');
    });

    it('an error thrown by the input ends imap after the results before it', async () => {
      function* broken() {
        yield 1;
        yield 2;
        throw new Error('input broke');
      }
      const seen: number[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const value of ctx.shared().imap(tasks.square, broken())) seen.push(value);
        })(),
      );
      expect(seen).toEqual([1, 4]);
      expect(error.message).toBe('input broke');
    });

    it('breaking out of imap closes the input', async () => {
      let closed = false;
      function* source() {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          closed = true;
        }
      }
      for await (const value of ctx.shared().imap(tasks.square, source())) {
        if (value >= 4) break;
      }
      expect(closed).toBe(true);
    });

    it('concurrent next() calls on imap and imapUnordered are answered in order, each once', async () => {
      const ordered = ctx.shared().imap(tasks.square, [1, 2, 3]);
      expect(await Promise.all([ordered.next(), ordered.next(), ordered.next(), ordered.next()])).toEqual([
        { value: 1, done: false },
        { value: 4, done: false },
        { value: 9, done: false },
        { value: undefined, done: true },
      ]);
      const unordered = ctx.shared().imapUnordered(tasks.square, [1, 2, 3]);
      const steps = await Promise.all([unordered.next(), unordered.next(), unordered.next(), unordered.next()]);
      expect(
        steps
          .map((s) => s.value as number)
          .slice(0, 3)
          .sort((a, b) => a - b),
      ).toEqual([1, 4, 9]);
      expect(steps[3]).toEqual({ value: undefined, done: true });
    });

    it('for...of without await is refused with a TypeError that says to use for await', () => {
      const it = ctx.shared().imap(tasks.square, [1]);
      expect(() => [...(it as unknown as Iterable<number>)]).toThrow(/for await/);
      void it.return?.();
    });

    it("chunksize 'auto' keeps input order and every value, for imap and imapUnordered", async () => {
      const xs = Array.from({ length: 300 }, (_, i) => i);
      expect(await collect(ctx.shared().imap(tasks.square, xs, { chunksize: 'auto' }))).toEqual(xs.map((x) => x * x));
      const unordered = await collect(ctx.shared().imapUnordered(tasks.square, xs, { chunksize: 'auto' }));
      expect(unordered.sort((a, b) => a - b)).toEqual(xs.map((x) => x * x));
    });

    it('imap reports progress', async () => {
      const done: number[] = [];
      let total: number | undefined;
      await collect(
        ctx.shared().imap(tasks.square, [1, 2, 3], {
          onProgress: (p) => {
            done.push(p.done);
            total = p.total ?? total;
          },
        }),
      );
      expect(done.at(-1)).toBe(3);
      expect(total).toBe(3);
    });
  });
}
