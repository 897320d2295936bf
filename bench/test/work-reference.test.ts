import { describe, expect, it } from 'vitest';
import { howmany, spin, square, sumArray } from '../src/work.js';
import { referenceWork } from '../src/work-reference.js';

describe('the sequential loops’ own copy of the work', () => {
  it('is another module instance: the same results from functions the task module does not share', async () => {
    const work = await referenceWork();
    for (const [own, shared] of [
      [work.howmany, howmany],
      [work.square, square],
      [work.spin, spin],
      [work.sumArray, sumArray],
    ] as const) {
      expect(own).not.toBe(shared);
      expect(own.toString()).toBe(shared.toString());
    }
    expect(work.howmany([1, 4, 5, 9, 8], 4, 8)).toBe(howmany([1, 4, 5, 9, 8], 4, 8));
    expect(work.spin([7, 1000])).toBe(spin([7, 1000]));
    expect(work.sumArray(Float64Array.from([1, 2, 3.5]))).toBe(6.5);
  });
});
