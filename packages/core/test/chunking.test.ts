import { describe, expect, it } from 'vitest';
import { checkChunksize, defaultChunksize } from '../src/pool/options.js';

describe("Python's default chunksize", () => {
  it('is 0 for an empty input', () => {
    expect(defaultChunksize(0, 4)).toBe(0);
  });
  it('is ceil(n / (4 * processes))', () => {
    expect(defaultChunksize(1, 4)).toBe(1);
    expect(defaultChunksize(16, 4)).toBe(1);
    expect(defaultChunksize(17, 4)).toBe(2);
    expect(defaultChunksize(200_000, 2)).toBe(25_000);
  });
  it('matches CPython: divmod(n, 4p), plus one if there is a remainder', () => {
    for (let n = 1; n < 200; n++) {
      for (const p of [1, 2, 3, 8]) {
        const [q, r] = [Math.floor(n / (4 * p)), n % (4 * p)];
        expect(defaultChunksize(n, p)).toBe(r ? q + 1 : q);
      }
    }
  });
});

describe('checkChunksize', () => {
  it('accepts positive integers and refuses the rest with a RangeError', () => {
    expect(checkChunksize(3)).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN, '2', null]) expect(() => checkChunksize(bad)).toThrow(RangeError);
  });
});
