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
});
