import { describe, expect, it } from 'vitest';
import type { Job } from '../src/adapter.js';
import { WorkerRuntime } from '../src/worker/runtime.js';

const inline = (fn: (...args: never[]) => unknown) => ({ kind: 'inline', source: fn.toString() }) as const;

async function run(job: Job) {
  return await new WorkerRuntime().runJob(job);
}

describe('the worker runtime with many numbers', () => {
  it('all numbers: one Float64Array of values', async () => {
    const result = await run({
      task: inline((n: number) => n * 2),
      items: Array.from({ length: 100 }, (_, i) => i),
      spread: false,
    });
    expect(result.values).toBeInstanceOf(Float64Array);
    expect(Array.from(result.values as Float64Array)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
  });

  it('a non-number after many numbers: every value kept, in order, each item run once', async () => {
    const task = inline((n: number) => {
      (globalThis as unknown as { runs: number[] }).runs.push(n);
      return n === 70 ? `seventy` : n;
    });
    (globalThis as { runs?: number[] }).runs = [];
    const result = await run({ task, items: Array.from({ length: 100 }, (_, i) => i), spread: false });
    const want: unknown[] = Array.from({ length: 100 }, (_, i) => (i === 70 ? 'seventy' : i));
    expect(Array.from(result.values as unknown[])).toEqual(want);
    expect((globalThis as { runs?: number[] }).runs).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a throw after many numbers fails that item alone; the items after it still run once', async () => {
    const task = inline((n: number) => {
      (globalThis as unknown as { runs: number[] }).runs.push(n);
      if (n === 80) throw new RangeError('eighty');
      return n;
    });
    (globalThis as { runs?: number[] }).runs = [];
    const result = await run({ task, items: Array.from({ length: 100 }, (_, i) => i), spread: false });
    expect(result.failures?.map((f) => [f.index, f.error.message])).toEqual([[80, 'eighty']]);
    const values = Array.from(result.values as unknown[]);
    expect(values[79]).toBe(79);
    expect(values[81]).toBe(81);
    expect((globalThis as { runs?: number[] }).runs).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a promise after many numbers is awaited like any other', async () => {
    const task = inline((n: number) => (n === 99 ? Promise.resolve(-1) : n));
    const result = await run({ task, items: Array.from({ length: 100 }, (_, i) => i), spread: false });
    expect(Array.from(result.values as unknown[]).slice(97)).toEqual([97, 98, -1]);
  });

  it('rows packed as a matrix: a non-number midway keeps every value in order, each row run once', async () => {
    const task = inline((row: number[]) => {
      (globalThis as unknown as { runs: number[] }).runs.push(row[0] as number);
      return row[0] === 40 ? [row[0], row[1]] : (row[0] as number) + (row[1] as number);
    });
    (globalThis as { runs?: number[] }).runs = [];
    const rows = Float64Array.from({ length: 200 }, (_, k) => (k % 2 === 0 ? k / 2 : 0.5));
    const result = await run({ task, items: rows, spread: false, rowWidth: 2 });
    const want: unknown[] = Array.from({ length: 100 }, (_, i) => (i === 40 ? [40, 0.5] : i + 0.5));
    expect(Array.from(result.values as unknown[])).toEqual(want);
    expect((globalThis as { runs?: number[] }).runs).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('argument columns: a throw midway fails that call alone; the calls after it still run once', async () => {
    const task = inline((a: number, b: number) => {
      (globalThis as unknown as { runs: number[] }).runs.push(a);
      if (a === 90) throw new TypeError('ninety');
      return a * b;
    });
    (globalThis as { runs?: number[] }).runs = [];
    const a = Float64Array.from({ length: 100 }, (_, i) => i);
    const b = Array.from({ length: 100 }, () => 3);
    const result = await run({ task, items: [], spread: true, columns: [a, b] });
    expect(result.failures?.map((f) => [f.index, f.error.name, f.error.message])).toEqual([
      [90, 'TypeError', 'ninety'],
    ]);
    const values = Array.from(result.values as unknown[]);
    expect(values[89]).toBe(267);
    expect(values[91]).toBe(273);
    expect((globalThis as { runs?: number[] }).runs).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('spread argument lists: every number result travels as one Float64Array', async () => {
    const result = await run({
      task: inline((a: number, b: number) => a - b),
      items: Array.from({ length: 100 }, (_, i) => [i, 1]),
      spread: true,
    });
    expect(result.values).toBeInstanceOf(Float64Array);
    expect(Array.from(result.values as Float64Array)).toEqual(Array.from({ length: 100 }, (_, i) => i - 1));
  });
});

describe('the worker runtime with rows packed as a matrix', () => {
  const special = [Number.NaN, -0, 0.1 + 0.2, 2 ** 53, -Infinity, 7, 0, 1e-300];
  for (let width = 1; width <= 10; width++) {
    it(`rows of ${width}: each task gets its own array of exactly that row's numbers`, async () => {
      const n = 60;
      const numbers = Array.from({ length: n * width }, (_, k) =>
        k % 3 === 0 ? (special[k % special.length] as number) : k,
      );
      const task = inline((row: number[]) => {
        (globalThis as unknown as { kept: number[][] }).kept.push(row);
        row.push(-1); // a row of its own: changing it changes no other
        return row.length;
      });
      (globalThis as { kept?: number[][] }).kept = [];
      const result = await run({ task, items: Float64Array.from(numbers), spread: false, rowWidth: width });
      expect(Array.from(result.values as Float64Array)).toEqual(Array.from({ length: n }, () => width + 1));
      const kept = (globalThis as unknown as { kept: number[][] }).kept;
      const want = Array.from({ length: n }, (_, i) => [...numbers.slice(i * width, (i + 1) * width), -1]);
      expect(kept).toEqual(want);
      expect(kept.every(Array.isArray)).toBe(true);
    });
  }
});
