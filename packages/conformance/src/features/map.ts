import { join } from 'node:path';
import type { TaskHandles } from '@parapool/core';
import { describe, expect, it } from 'vitest';
import { PROCESSES, type SuiteContext, seededRandom } from '../context.js';
import { tasks } from '../tasks.js';

/** Groups consecutive results by job stamp and returns the group sizes (the chunks). */
function chunkSizes(stamps: string[]): number[] {
  const sizes: number[] = [];
  let last: string | undefined;
  for (const stamp of stamps) {
    if (stamp === last) sizes[sizes.length - 1]! += 1;
    else sizes.push(1);
    last = stamp;
  }
  return sizes;
}

export function mapFeature(ctx: SuiteContext): void {
  describe('map, starmap, apply', () => {
    it('map returns results in input order', async () => {
      const xs = Array.from({ length: 50 }, (_, i) => i);
      expect(await ctx.shared().map(tasks.square, xs)).toEqual(xs.map((x) => x * x));
    });

    it('map keeps input order when items finish out of order', async () => {
      const random = seededRandom(42);
      const delays = Array.from({ length: 12 }, () => Math.floor(random() * 20));
      const out = await ctx.shared().starmap(
        tasks.sleep,
        delays.map((ms, i) => [ms, i] as [number, unknown]),
        { chunksize: 1 },
      );
      expect(out).toEqual(delays.map((_, i) => i));
    });

    it('numbers cross exactly, also in big numeric chunks (NaN, -0, fractions, 2^53)', async () => {
      const special = [Number.NaN, -0, 0.1 + 0.2, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, -Infinity];
      const xs = Array.from({ length: 200 }, (_, i) => special[i % special.length] as number);
      const out = await ctx.shared().map(tasks.identity, xs);
      expect(out).toEqual(xs);
      expect(Object.is(out[1], -0)).toBe(true);
      expect(Array.isArray(out)).toBe(true);
      // A chunk of numbers with one other value in it comes back as it went.
      const mixed: unknown[] = [...xs, 'text', undefined];
      expect(await ctx.shared().map(tasks.identity, mixed, { chunksize: 500 })).toEqual(mixed);
    });

    it('rows of numbers (arguments and map items) cross exactly and arrive as arrays', async () => {
      const special = [Number.NaN, -0, 0.1 + 0.2, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity, 7];
      const rows = Array.from({ length: 300 }, (_, i) =>
        Array.from({ length: 5 }, (_, j) => special[(i + j) % special.length] as number),
      );
      const described = (row: number[]) => ({
        isArray: Array.isArray(row),
        row,
        negativeZero: row.map((x) => Object.is(x, -0)),
      });
      const want = rows.map((row) => ({ isArray: true, row, negativeZero: row.map((x) => Object.is(x, -0)) }));
      expect(await ctx.shared().map(described, rows)).toEqual(want);
      // As a column of starmap argument lists, too.
      const withArgs = await ctx.shared().starmap(
        (row: number[], k: number) => ({ isArray: Array.isArray(row), sum: row.length + k, row }),
        rows.map((row) => [row, 1] as [number[], number]),
      );
      expect(withArgs).toEqual(rows.map((row) => ({ isArray: true, sum: 6, row })));
      // Rows that are not all numbers, or of different lengths, come back as they went.
      const holey = new Array<number>(3);
      holey[0] = 1;
      holey[2] = 3;
      const odd: unknown[][] = rows.slice(0, 40).map((row, i) => (i === 7 ? [...row, 'x'] : i === 9 ? holey : row));
      expect(await ctx.shared().map(tasks.identity, odd)).toEqual(odd);
    });

    it('tuple results come back as arrays, in order (also many numeric ones)', async () => {
      const xs = Array.from({ length: 300 }, (_, i) => i);
      const pairs = await ctx.shared().map((i: number) => [i, i * i], xs);
      expect(pairs).toEqual(xs.map((i) => [i, i * i]));
      expect(pairs.every(Array.isArray)).toBe(true);
    });

    it('map accepts any iterable (a Set, a generator)', async () => {
      function* gen() {
        yield 3;
        yield 4;
      }
      expect(await ctx.shared().map(tasks.square, new Set([1, 2]))).toEqual([1, 4]);
      expect(await ctx.shared().map(tasks.square, gen())).toEqual([9, 16]);
    });

    it('starmap spreads each argument list into the call', async () => {
      expect(
        await ctx.shared().starmap(tasks.add, [
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ).toEqual([3, 7, 11]);
    });

    it('starmap handles many argument lists, of equal or differing lengths', async () => {
      const rows = Array.from({ length: 40 }, (_, i) => [i, i + 1, i + 2]);
      const counts = await ctx.shared().starmap(
        (row: number[], low: number, high: string) => `${row.filter((n) => n >= low).length}${high}`,
        rows.map((row) => [row, 20, '!'] as [number[], number, string]),
      );
      expect(counts).toEqual(rows.map((row) => `${row.filter((n) => n >= 20).length}!`));
      const lists = Array.from({ length: 40 }, (_, i) => Array.from({ length: i % 5 }, () => i));
      expect(await ctx.shared().starmap((...xs: number[]) => xs.length, lists)).toEqual(lists.map((l) => l.length));
    });

    it('apply runs one call and resolves with its result', async () => {
      expect(await ctx.shared().apply(tasks.add, [20, 22])).toBe(42);
      expect(await ctx.shared().apply(tasks.noArgs)).toBe('no-args');
    });

    it('mapAsync and starmapAsync resolve with the whole list', async () => {
      const pool = ctx.shared();
      expect(await pool.mapAsync(tasks.square, [1, 2, 3]).get()).toEqual([1, 4, 9]);
      expect(await pool.starmapAsync(tasks.add, [[1, 1]]).get()).toEqual([2]);
    });

    it('empty inputs give [] at once', async () => {
      const pool = ctx.shared();
      expect(await pool.map(tasks.square, [])).toEqual([]);
      expect(await pool.starmap(tasks.add, [])).toEqual([]);
      expect(await pool.mapAsync(tasks.square, []).get()).toEqual([]);
      const it = pool.imap(tasks.square, []);
      expect(await it.next()).toEqual({ value: undefined, done: true });
    });

    describe(`default chunksize is ceil(n / (4 * processes)) with ${PROCESSES} processes`, () => {
      const cases: Array<[n: number, sizes: number[]]> = [
        [1, [1]],
        [4 * PROCESSES, Array.from({ length: 4 * PROCESSES }, () => 1)],
        [4 * PROCESSES + 1, [...Array.from({ length: 4 * PROCESSES }, () => 2).slice(0, 4), 1]],
        [40, Array.from({ length: 8 }, () => 5)],
      ];
      for (const [n, sizes] of cases) {
        it(`${n} items are sent as chunks of ${JSON.stringify(sizes)}`, async () => {
          const stamps = await ctx.shared().map(
            tasks.jobStamp,
            Array.from({ length: n }, (_, i) => i),
          );
          expect(chunkSizes(stamps)).toEqual(sizes);
        });
      }
    });

    it('an explicit chunksize sets the items per job', async () => {
      const stamps = await ctx.shared().map(
        tasks.jobStamp,
        Array.from({ length: 10 }, (_, i) => i),
        { chunksize: 3 },
      );
      expect(chunkSizes(stamps)).toEqual([3, 3, 3, 1]);
    });

    it("chunksize 'auto' on map and starmap: the first job holds one item, results keep input order", async () => {
      const xs = Array.from({ length: 300 }, (_, i) => i);
      const stamps = await ctx.shared().map(tasks.jobStamp, xs, { chunksize: 'auto' });
      expect(stamps).toHaveLength(300);
      expect(chunkSizes(stamps)[0]).toBe(1);
      expect(await ctx.shared().map(tasks.square, xs, { chunksize: 'auto' })).toEqual(xs.map((x) => x * x));
      const pairs = xs.map((x) => [x, 1] as [number, number]);
      expect(await ctx.shared().starmap(tasks.add, pairs, { chunksize: 'auto' })).toEqual(xs.map((x) => x + 1));
      expect(await ctx.shared().mapAsync(tasks.square, xs, { chunksize: 'auto' }).get()).toEqual(xs.map((x) => x * x));
    });

    it('onProgress reports finished items up to the total', async () => {
      const seen: Array<{ done: number; total?: number }> = [];
      await ctx.shared().map(
        tasks.square,
        Array.from({ length: 10 }, (_, i) => i),
        { chunksize: 3, onProgress: (p) => seen.push({ ...p }) },
      );
      expect(seen).toHaveLength(4);
      const done = seen.map((p) => p.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(new Set(done).size).toBe(4);
      expect(seen.at(-1)).toEqual({ done: 10, total: 10 });
    });

    it('async tasks are awaited in the worker', async () => {
      expect(await ctx.shared().map(tasks.asyncSquare, [1, 2, 3])).toEqual([1, 4, 9]);
    });

    it('the items of one chunk of an async task run concurrently', async () => {
      const path = join(ctx.tempDir(), 'flag');
      // Item 0 waits for the file item 1 creates: only possible if both run at once.
      const out = await ctx.shared().starmap(
        tasks.rendezvous,
        [
          [path, 'wait'],
          [path, 'create'],
        ],
        { chunksize: 2 },
      );
      expect(out[0]).toBe(true);
    });

    it('inline self-contained functions run in the worker', async () => {
      const pool = ctx.shared();
      expect(await pool.map((n: number) => n * 3, [1, 2])).toEqual([3, 6]);
      expect(await pool.apply((a: string, b: string) => a + b, ['x', 'y'])).toBe('xy');
      expect(
        await pool.map(
          async function double(n: number) {
            return n * 2;
          },
          [4],
        ),
      ).toEqual([8]);
    });

    it('many applyAsync calls in one tick are sent in fewer jobs', async () => {
      const pool = ctx.shared();
      const results = Array.from({ length: 100 }, (_, i) => pool.applyAsync(tasks.jobStamp, [i]));
      const stamps = await Promise.all(results.map((r) => r.get()));
      expect(new Set(stamps).size).toBeLessThan(100);
      const squares = Array.from({ length: 100 }, (_, i) => pool.applyAsync(tasks.square, [i]));
      expect(await Promise.all(squares.map((r) => r.get()))).toEqual(Array.from({ length: 100 }, (_, i) => i * i));
    });

    it('a TypeScript task module loads in the worker without a build step', async () => {
      const url = new URL('../../fixtures/ts-tasks.ts', import.meta.url).href;
      const { tsTasks } = (await import(url)) as {
        tsTasks: TaskHandles<{ area(shape: { kind: 'square' | 'circle'; size: number }): number }>;
      };
      expect(
        await ctx.shared().map(tsTasks.area, [
          { kind: 'square', size: 3 },
          { kind: 'square', size: 4 },
        ]),
      ).toEqual([9, 16]);
    });

    it('a task handle is callable in-process with the same result', async () => {
      expect(tasks.add(2, 3)).toBe(await ctx.shared().apply(tasks.add, [2, 3]));
      expect(tasks.add.name).toBe('add');
      expect(tasks.add.module).toMatch(/^file:/);
    });
  });
}
