import { describe, expect, it } from 'vitest';
import { fittedScale } from '../src/charts.js';

describe('chart scales', () => {
  it('are linear from 0 when the data span little', () => {
    expect(fittedScale([0.9, 1.5, 1.97], [1])).toEqual({
      log: false,
      scale: { zero: true, nice: false, domain: [0, 1.97 * 1.15] },
    });
  });

  it('are logarithmic just around the data when they span a lot, never decades of empty axis', () => {
    const { log, scale } = fittedScale([0.02, 0.5, 7], [1]);
    expect(log).toBe(true);
    expect(scale).toMatchObject({ type: 'log', nice: false });
    const [lo, hi] = (scale as { domain: number[] }).domain;
    expect(lo).toBeCloseTo(0.016);
    expect(hi).toBeCloseTo(8.75);
  });
});
