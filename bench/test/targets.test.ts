import { describe, expect, it } from 'vitest';
import { checkTargets, TARGETS } from '../src/targets.js';
import { failedRow, resultsOf, row } from './fixtures.js';

const check = (results: ReturnType<typeof resultsOf>, id: string, subject: string) =>
  checkTargets(results).find((c) => c.id === id && c.subject === subject);

describe('targets', () => {
  it('are data: each has a threshold, and the thresholds are the ones asked for', () => {
    expect(Object.fromEntries(TARGETS.map((t) => [t.id, t.threshold]))).toEqual({
      'howmany-map': 1.5,
      'howmany-starmap': 1.5,
      'square-overhead': 1.3,
      'apply-async-callback': 2,
      'apply-async-get': 2,
      'round-trip': 1.1,
      'cold-start': 1.2,
      crossover: 30,
    });
  });

  it('hold each worker backend to the limit, from the ratio measured in the run', () => {
    const results = resultsOf([
      row('howmany', 'limit', 'map', 20),
      row('howmany', 'piscina', 'map', 28, { limit: 'map', vsLimit: 1.4 }),
      row('howmany', 'child-process', 'map', 60, { limit: 'map', vsLimit: 3 }),
    ]);
    expect(check(results, 'howmany-map', 'piscina')).toMatchObject({ met: true, measured: 1.4, threshold: 1.5 });
    const miss = check(results, 'howmany-map', 'child-process');
    expect(miss).toMatchObject({ met: false, measured: 3 });
    expect(miss?.value).toBe('3.00× the limit (60.0 ms vs 20.0 ms)');
  });

  it('say why a NO is a NO: what the pool spent its jobs on', () => {
    const results = resultsOf([
      row('howmany', 'limit', 'map', 20),
      row('howmany', 'piscina', 'map', 60, { limit: 'map', vsLimit: 3 }),
      row('howmany', 'piscina-raw', 'per-chunk', 50, { limit: 'map', vsLimit: 2.5 }),
    ]);
    results.workloads[0]!.insights = { piscina: { utilization: 0.4, transferMedianMs: 4, workMedianMs: 1 } };
    const note = check(results, 'howmany-map', 'piscina')?.note ?? '';
    expect(note).toContain('moving data dominates');
    expect(note).toContain('per job 4.00 ms moving data vs 1.00 ms working (pool.insights())');
    expect(note).toContain('piscina (raw) with the same chunks: 2.50× the limit');
  });

  it('use pool.insights() as evidence only when the pool ran that one method in the workload', () => {
    const results = resultsOf([
      row('howmany', 'limit', 'map', 20),
      row('howmany', 'piscina', 'map', 60, { limit: 'map', vsLimit: 3 }),
      row('howmany', 'piscina', 'apply-async-get', 600),
    ]);
    results.workloads[0]!.insights = { piscina: { utilization: 0.4, transferMedianMs: 4, workMedianMs: 1 } };
    expect(check(results, 'howmany-map', 'piscina')?.note ?? '').not.toContain('pool.insights()');
  });

  it('are not measurable (n/a, with the reason) when a figure is missing or failed', () => {
    const results = resultsOf([
      failedRow('howmany', 'piscina', 'map', 'TypeError: boom'),
      row('howmany', 'child-process', 'map', 60, { limit: 'map' }),
    ]);
    expect(check(results, 'howmany-map', 'piscina')).toMatchObject({ met: null, value: 'failed' });
    expect(check(results, 'howmany-map', 'piscina')?.note).toContain('TypeError: boom');
    expect(check(results, 'howmany-map', 'child-process')).toMatchObject({ met: null });
    expect(check(results, 'square-overhead', 'piscina')?.note).toContain('square did not run');
  });

  it("compare the square overhead per item with the limit's", () => {
    const results = resultsOf([
      row('square', 'limit', 'map', 10, { overheadNsPerItem: 10 }),
      row('square', 'piscina', 'map', 20, { overheadNsPerItem: 12 }),
      row('square', 'child-process', 'map', 40, { overheadNsPerItem: 30 }),
    ]);
    expect(check(results, 'square-overhead', 'piscina')).toMatchObject({ met: true, measured: 1.2 });
    expect(check(results, 'square-overhead', 'child-process')).toMatchObject({ met: false, measured: 3 });
  });

  it('compare the applyAsync loops with map on the same backend', () => {
    const results = resultsOf([
      row('howmany', 'piscina', 'map', 50, { items: 200_000 }),
      row('howmany', 'piscina', 'apply-async-callback', 90, { items: 200_000 }),
      row('howmany', 'piscina', 'apply-async-get', 150, { items: 200_000 }),
    ]);
    expect(check(results, 'apply-async-callback', 'piscina')).toMatchObject({ met: true, measured: 1.8 });
    const miss = check(results, 'apply-async-get', 'piscina');
    expect(miss).toMatchObject({ met: false, measured: 3 });
    expect(miss?.note).toContain('500 ns more than an item of map');
  });

  it("compare a round trip with the raw library's own call, and child-process with the bare fork", () => {
    const results = resultsOf([
      row('apply-round-trip', 'piscina', 'round-trip', 105, { items: 1000 }),
      row('apply-round-trip', 'piscina-raw', 'round-trip', 100, { items: 1000 }),
      row('apply-round-trip', 'limit', 'round-trip-fork', 100, { items: 1000 }),
      row('apply-round-trip', 'child-process', 'round-trip', 150, { items: 1000 }),
    ]);
    expect(check(results, 'round-trip', 'piscina')).toMatchObject({ met: true, measured: 1.05 });
    const fork = check(results, 'round-trip', 'child-process');
    expect(fork).toMatchObject({ met: false, measured: 1.5 });
    expect(fork?.value).toContain('the bare fork');
  });

  it('compare round trips timed call by call by their median calls, not by a stalled moment', () => {
    const calls = (p50Us: number, p99Us: number) => ({
      calls: 1000,
      p50Us,
      p90Us: p50Us,
      p99Us,
      p50Ci: { low: p50Us, high: p50Us, confidence: 0.95 },
    });
    const results = resultsOf([
      row('apply-round-trip', 'piscina', 'round-trip', 900, { items: 1000, calls: calls(42, 90_000) }),
      row('apply-round-trip', 'piscina-raw', 'round-trip', 100, { items: 1000, calls: calls(40, 300) }),
    ]);
    const trip = check(results, 'round-trip', 'piscina');
    expect(trip).toMatchObject({ met: true, measured: 42 / 40 });
    expect(trip?.value).toBe('1.05× piscina (raw) (median call 42 µs vs 40 µs)');
  });

  it('state the crossover grain against 30 µs, "never" as a miss', () => {
    const results = resultsOf([row('crossover', 'piscina', 'map', 1, { grainUs: 30, speedup: 1.2 })]);
    results.workloads[0]!.crossoverUs = { piscina: 30, 'child-process': null };
    expect(check(results, 'crossover', 'piscina')).toMatchObject({ met: true, measured: 30 });
    expect(check(results, 'crossover', 'child-process')).toMatchObject({
      met: false,
      value: 'never (in the grains measured)',
    });
  });

  it('leave the in-process inline backend out (it has no workers to compare)', () => {
    const results = resultsOf([row('howmany', 'inline', 'map', 10)]);
    expect(checkTargets(results).some((c) => c.subject === 'inline')).toBe(false);
  });
});
