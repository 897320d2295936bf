import { describe, expect, it } from 'vitest';
import { duration, Eta } from '../src/eta.js';

describe('progress ETA', () => {
  it('knows nothing before the first run', () => {
    expect(new Eta(['a', 'b']).remainingMs(0)).toBeUndefined();
  });

  it('estimates the runs left from the last time the same case took', () => {
    const eta = new Eta(['a', 'b', 'a', 'b']);
    eta.record('a', 100);
    eta.record('b', 10);
    expect(eta.done).toBe(2);
    expect(eta.total).toBe(4);
    // one more a (100) and one more b (10), no time lost between runs
    expect(eta.remainingMs(110)).toBe(110);
  });

  it('estimates cases not yet seen by the mean run so far, scaled by the time between runs', () => {
    const eta = new Eta(['a', 'b', 'c', 'c']);
    eta.record('a', 100);
    eta.record('b', 300);
    // mean 200 per run, two c runs left; the wall clock ran twice the runs' own time
    expect(eta.remainingMs(800)).toBe(800);
  });

  it('skipped runs count as done without making the estimate shorter', () => {
    const eta = new Eta(['a', 'b', 'c']);
    eta.record('a', 100);
    eta.record('b', 0);
    expect(eta.remainingMs(100)).toBe(100);
  });

  it('writes durations for people', () => {
    expect(duration(45_000)).toBe('45 s');
    expect(duration(200_000)).toBe('3 min 20 s');
    expect(duration(120_000)).toBe('2 min');
  });
});
