import { describe, expect, it } from 'vitest';
import type { Job } from '../src/index.js';
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
});
