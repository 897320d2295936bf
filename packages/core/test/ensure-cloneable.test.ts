import { describe, expect, it } from 'vitest';
import { ensureCloneable } from '../src/worker.js';

describe('ensureCloneable', () => {
  it('returns a result of plain data as it is', () => {
    const result = { values: [1, 'a', [1, 2], { a: { b: [new Date(0)] } }, new Map([[1, new Set([2])]]), null] };
    expect(ensureCloneable(result)).toBe(result);
  });

  it('turns only the values that cannot be cloned into CloneError failures', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const out = ensureCloneable({ values: [1, { nested: [() => 1] }, new Point(1, 2), Symbol('s')] });
    expect(out.values).toEqual([1, undefined, new Point(1, 2), undefined]);
    expect(out.failures?.map((f) => f.index)).toEqual([1, 3]);
    expect(out.failures?.[0]?.error.name).toBe('CloneError');
    expect(out.failures?.[0]?.error.message).toMatch(/^A result could not be copied/);
  });

  it('keeps the failures the job already had, in item order', () => {
    const earlier = { index: 2, error: { name: 'Error', message: 'task failed' } };
    const out = ensureCloneable({ values: [() => 1, 2, undefined], failures: [earlier] });
    expect(out.failures?.map((f) => f.index)).toEqual([0, 2]);
  });

  it('fails an item whose getter throws, naming the property, instead of throwing', () => {
    const hostile = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get() {
        throw new Error('no access');
      },
    });
    const out = ensureCloneable({ values: ['fine', hostile] });
    expect(out.values).toEqual(['fine', undefined]);
    expect(out.failures?.[0]?.index).toBe(1);
    expect(out.failures?.[0]?.error.name).toBe('CloneError');
    expect(out.failures?.[0]?.error.message).toMatch(/property 'secret' threw Error: no access/);
  });

  it('returns a result it already checked as it is', () => {
    const once = ensureCloneable({ values: [() => 1, 2] });
    expect(ensureCloneable(once)).toBe(once);
  });

  it('fails shared memory only where it cannot go: over a process channel', () => {
    const shared = new SharedArrayBuffer(8);
    class Holder {
      constructor(public buffer: SharedArrayBuffer) {}
    }
    const values = [1, shared, { view: new Int32Array(shared) }, new Holder(shared)];
    const forThreads = { values };
    expect(ensureCloneable(forThreads)).toBe(forThreads);
    const out = ensureCloneable({ values }, { sharedMemory: false });
    expect(out.values).toEqual([1, undefined, undefined, undefined]);
    expect(out.failures?.map((f) => f.index)).toEqual([1, 2, 3]);
    expect(out.failures?.[0]?.error.message).toMatch(/SharedArrayBuffer.*only between the threads/);
  });

  it('with a channel of its own encoding (JSON): a value it refuses fails alone, even in a result already checked', () => {
    const checked = ensureCloneable({ values: [1, 2n, 'three'] }, { sharedMemory: false });
    expect(checked.failures).toBeUndefined(); // structured clone carries a BigInt
    const json = { encode: JSON.stringify, carries: "with 'json' serialization, only JSON" };
    const out = ensureCloneable(checked, { channel: json });
    expect(out.values).toEqual([1, undefined, 'three']);
    expect(out.failures?.map((f) => [f.index, f.error.name])).toEqual([[1, 'CloneError']]);
    expect(out.failures?.[0]?.error.message).toMatch(/BigInt.*only JSON/);
  });

  it('with a channel of its own encoding: an error payload it refuses keeps its name, message and stack', () => {
    const error = { name: 'RangeError', message: 'no', stack: 'RangeError: no', detail: 1n } as never;
    const out = ensureCloneable(
      { values: [undefined], failures: [{ index: 0, error }] },
      { channel: { encode: JSON.stringify, carries: 'JSON' } },
    );
    expect(out.failures).toEqual([{ index: 0, error: { name: 'RangeError', message: 'no', stack: 'RangeError: no' } }]);
  });
});
