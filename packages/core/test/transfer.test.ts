import { describe, expect, it } from 'vitest';
import { InlineBackend, type Job, jobControl } from '../src/adapter.js';
import { createPool, transfer } from '../src/index.js';
import { jobTransferList, resultTransferList } from '../src/wire/transfer.js';

const task = { kind: 'inline', source: '(x) => x' } as const;

describe('transfer()', () => {
  it('returns the value itself, so it can wrap an argument in place', () => {
    const data = new Float64Array(4);
    expect(transfer(data)).toBe(data);
    const buffer = new ArrayBuffer(8);
    expect(transfer(buffer)).toBe(buffer);
  });

  it('refuses what cannot be moved, saying what can', () => {
    expect(() => transfer('text' as never)).toThrow(/moves an ArrayBuffer or a typed array \/ DataView \(got string\)/);
    expect(() => transfer([1, 2] as never)).toThrow(/got Array/);
    expect(() => transfer(new Int32Array(new SharedArrayBuffer(8)))).toThrow(/SharedArrayBuffer is shared/);
    expect(() => transfer(new Float64Array(8).subarray(2))).toThrow(
      /shows 48 of its buffer's 64 bytes.*view\.slice\(\)/,
    );
    // A small Node Buffer is a view of part of the shared pool.
    expect(() => transfer(Buffer.from('abc'))).toThrow(/of its buffer's/);
  });

  it('refuses a buffer that was moved already', () => {
    const data = new Float64Array(2);
    structuredClone(data, { transfer: [data.buffer] });
    expect(() => transfer(data)).toThrow(/moved to another thread already \(it is detached\)/);
    expect(() => transfer(new Float64Array(0))).not.toThrow(); // empty, not detached
  });
});

describe('transfer lists', () => {
  it("a job's packed chunk and argument columns are listed; plain arrays are not", () => {
    const items = new Float64Array(100);
    expect(jobTransferList({ task, items, spread: false })).toEqual([items.buffer]);
    const a = new Float64Array(20);
    const b = new Float64Array(20);
    expect(jobTransferList({ task, items: [], spread: true, columns: [a, ['x'], b] })).toEqual([a.buffer, b.buffer]);
    expect(jobTransferList({ task, items: [new Float64Array(3), [1]], spread: false })).toEqual([]);
  });

  it('packed columns that are views into one shared buffer (a job decoded from a message) are copied, not listed', () => {
    const shared = new ArrayBuffer(8 * 40);
    const a = new Float64Array(shared, 0, 20);
    const b = new Float64Array(shared, 8 * 20, 20);
    expect(jobTransferList({ task, items: [], spread: true, columns: [a, b] })).toEqual([]);
    const whole = new Float64Array(20);
    expect(jobTransferList({ task, items: [], spread: true, columns: [whole, whole] })).toEqual([whole.buffer]);
  });

  it('marked top-level arguments are listed once each; nested ones and the initializer are not', () => {
    const marked = transfer(new Float64Array(3));
    const other = transfer(new Uint8Array(5));
    const nested = transfer(new Float64Array(1));
    const job: Job = {
      task,
      items: [[marked, 1], [marked, other], [{ nested }]],
      spread: true,
      initializer: { task, args: [transfer(new Float64Array(2))] },
    };
    expect(jobTransferList(job)).toEqual([marked.buffer, other.buffer]);
  });

  it("a result's packed values and marked values are listed", () => {
    const values = new Float64Array(64);
    expect(resultTransferList({ values })).toEqual([values.buffer]);
    const columns = [new Float64Array(64), new Float64Array(64)];
    expect(resultTransferList({ values: { packed: 'tuples', columns } })).toEqual(columns.map((c) => c.buffer));
    const marked = transfer(new Int16Array(4));
    expect(resultTransferList({ values: [1, marked, new Float64Array(2)] })).toEqual([marked.buffer]);
  });
});

describe('the inline backend moves as a thread boundary would', () => {
  it("the core's packed chunk is moved to the virtual worker; values cross exactly", async () => {
    const backend = new InlineBackend({ processes: 1, maxtasksperchild: undefined });
    const items = Float64Array.from([Number.NaN, -0, 0.1 + 0.2, 2 ** 53], (x) => x);
    const padded = new Float64Array(64);
    padded.set(items);
    const result = await backend.run({ task, items: padded, spread: false }, jobControl());
    expect(padded.byteLength).toBe(0);
    expect(Array.from(result.values as Float64Array).slice(0, 4)).toEqual([Number.NaN, -0, 0.1 + 0.2, 2 ** 53]);
    await backend.close();
  });

  it("a marked argument is detached on the caller's side; an unmarked one is copied", async () => {
    const pool = createPool({ processes: 1 });
    const moved = new Float64Array([1, 2, 3]);
    const copied = new Float64Array([1, 2, 3]);
    const sum = (data: Float64Array) => data.reduce((a, b) => a + b, 0);
    expect(await pool.apply(sum, [transfer(moved)])).toBe(6);
    expect(await pool.apply(sum, [copied])).toBe(6);
    expect(moved.byteLength).toBe(0);
    expect(copied.byteLength).toBe(24);
    await pool.terminate();
  });
});
