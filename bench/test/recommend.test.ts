/**
 * The recommendations, from runs made of raw times: each workload goes through
 * summarize() (intervals, speedups, noise) as a real run does.
 */
import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend.js';
import type { BenchResults, Measurement, MethodId, SubjectId, WorkloadId } from '../src/results.js';
import { summarize } from '../src/stats.js';
import { resultsOf, row } from './fixtures.js';

/** A row of raw times (ms), compared with the sequential loop's `baseline` and the limit's `limit` where given. */
function timed(
  workload: WorkloadId,
  subject: SubjectId,
  method: MethodId,
  times: readonly number[],
  extra: Partial<Measurement> = {},
): Measurement {
  const m = row(workload, subject, method, 0, { timesMs: [...times], ...extra });
  const { medianMs: _m, minMs: _a, maxMs: _b, ...bare } = m;
  return { ...bare, ...(subject === 'sequential' || subject === 'limit' ? {} : { baseline: 'loop' }), ...extra };
}

/** Six runs around `ms` (± 1%): a tight interval. */
const around = (ms: number) => [0.99, 1, 1.01, 0.995, 1.005, 1].map((f) => f * ms);

/** A run of `measurements` on 2 processes and 2 cores, summarized as the runner does. */
function run(measurements: readonly Measurement[], extra: Partial<BenchResults> = {}): BenchResults {
  const results = resultsOf(measurements, extra);
  for (const w of results.workloads) summarize(w, results.subjects, { processes: 2, cores: 2 });
  results.recommendations = recommend(results);
  return results;
}

const about = (results: BenchResults, work: string) => results.recommendations.find((r) => r.work === work);

describe('recommendations', () => {
  it('name the CPU-bound winner when its interval lies clear of every other', () => {
    const results = run([
      timed('cpu-bound', 'sequential', 'loop', around(640), { items: 16 }),
      timed('cpu-bound', 'piscina', 'map', around(330), { items: 16 }),
      timed('cpu-bound', 'child-process', 'map', around(420), { items: 16 }),
    ]);
    const cpu = about(results, 'cpu-bound');
    expect(cpu).toMatchObject({ choice: 'piscina', tied: [] });
    expect(cpu?.text).toMatch(/^piscina: 1\.94× \(1\.9\d–1\.9\d\) on 16 tasks of 20 ms/);
    expect(cpu?.text).toContain('clear of the next, child-process 1.52×');
  });

  it('name no winner when the best intervals overlap: the run cannot tell them apart', () => {
    const results = run([
      timed('cpu-bound', 'sequential', 'loop', around(640), { items: 16 }),
      timed('cpu-bound', 'piscina', 'map', [320, 330, 340, 350, 360, 370], { items: 16 }),
      timed('cpu-bound', 'child-process', 'map', [335, 345, 355, 365, 375, 385], { items: 16 }),
    ]);
    const cpu = about(results, 'cpu-bound');
    expect(cpu?.choice).toBeNull();
    expect(cpu?.tied).toEqual(['piscina', 'child-process']);
    expect(cpu?.text).toMatch(/^No single winner: piscina .*, child-process .* lie within each other's spread/);
  });

  it('recommend nothing from figures outside what the machine allows, and say what to run instead', () => {
    // The figures of a --quick run on a loaded machine: a speedup of 3 with 2 processes, a caller's-thread
    // backend at 1.99× on CPU-bound work, a worker backend faster than the hand-written limit, a negative overhead.
    const results = run(
      [
        timed('cpu-bound', 'sequential', 'loop', around(600), { items: 8 }),
        timed('cpu-bound', 'piscina', 'map', around(200), { items: 8 }),
        timed('cpu-bound', 'inline', 'map', around(301), { items: 8 }),
        timed('cpu-bound', 'child-process', 'map', around(290), { items: 8 }),
        timed('howmany', 'sequential', 'loop', around(79), { items: 10_000 }),
        timed('howmany', 'limit', 'map', around(20), { items: 10_000 }),
        timed('howmany', 'piscina', 'map', around(6), { items: 10_000, limit: 'map' }),
        timed('howmany', 'child-process', 'map', around(9.8), { items: 10_000, limit: 'map' }),
      ],
      { options: { processes: 2, quick: true } },
    );
    const noise = (workload: WorkloadId, subject: SubjectId) =>
      results.workloads.find((w) => w.name === workload)?.measurements.find((m) => m.subject === subject)?.noise;
    expect(noise('cpu-bound', 'piscina')?.[0]).toMatch(/^3\.00× the sequential loop with 2 processes/);
    expect(noise('cpu-bound', 'inline')?.[0]).toMatch(/^1\.99× the sequential loop in the calling thread/);
    expect(noise('cpu-bound', 'child-process')?.[0]).toMatch(/negative overhead per item/);
    expect(noise('howmany', 'piscina')?.[0]).toMatch(/^0\.30× the hand-written limit/);
    expect(noise('howmany', 'child-process')?.[0]).toMatch(/^0\.49× the hand-written limit/);

    for (const work of ['cpu-bound', 'tiny-items', 'isolation']) {
      const r = about(results, work);
      expect(r?.choice, work).not.toBe('piscina');
      expect(r?.choice, work).not.toBe('child-process');
      expect(r?.choice, work).not.toBe('inline');
      expect(
        r?.tied.filter((id) => id !== 'sequential'),
        work,
      ).toEqual([]);
    }
    expect(about(results, 'cpu-bound')?.text).toMatch(/^No recommendation from this run\. Left out as noise/);
    expect(about(results, 'cpu-bound')?.text).toContain(
      'run `pnpm bench --workloads cpu-bound` (not --quick) on an idle machine',
    );
    expect(about(results, 'isolation')?.choice).toBeNull();
  });

  it('keep tiny items in a loop when the loop is clearly faster, and say from what grain a pool pays', () => {
    const results = run([
      timed('howmany', 'sequential', 'loop', around(10), { items: 100_000 }),
      timed('howmany', 'limit', 'map', around(14), { items: 100_000 }),
      timed('howmany', 'piscina', 'map', around(24), { items: 100_000, limit: 'map' }),
      timed('crossover', 'sequential', 'loop', around(10), { grainUs: 100, items: 100 }),
      timed('crossover', 'piscina', 'map', around(6), { grainUs: 100, items: 100 }),
    ]);
    results.workloads[1]!.crossoverUs = { piscina: 100 };
    const tiny = recommend(results).find((r) => r.work === 'tiny-items');
    expect(tiny?.choice).toBe('sequential');
    expect(tiny?.text).toMatch(/^the sequential loop: 10\.0 ms \(9\.\d+ ms–10\.\d ms\) on 100,000 rows/);
    expect(tiny?.text).toContain('clear of the next, piscina 24.0 ms');
    expect(tiny?.text).toContain('A pool pays from about 100 µs per item of work (piscina, crossover)');
  });

  it('say that inline needs no workers when it is among the best for I/O-bound work', () => {
    const results = run([
      timed('io-bound', 'sequential', 'loop', around(1000), { items: 2000 }),
      timed('io-bound', 'inline', 'map', [480, 500, 520, 490, 510, 505], { items: 2000 }),
      timed('io-bound', 'piscina', 'map', [470, 495, 515, 485, 505, 500], { items: 2000 }),
    ]);
    const io = about(results, 'io-bound');
    expect(io?.choice).toBeNull();
    expect(io?.tied).toEqual(expect.arrayContaining(['inline', 'piscina']));
    expect(io?.text).toContain('inline needs no workers');
  });

  it('recommend a backend of separate processes for isolation, with what it costs here', () => {
    const results = run([
      timed('cpu-bound', 'sequential', 'loop', around(640), { items: 16 }),
      timed('cpu-bound', 'child-process', 'map', around(350), { items: 16 }),
      timed('cold-start', 'piscina', 'cold-start', around(50)),
      timed('cold-start', 'child-process', 'cold-start', around(120)),
    ]);
    const isolation = about(results, 'isolation');
    expect(isolation?.choice).toBe('child-process');
    expect(isolation?.text).toContain('cold start 120 ms (threads, piscina: 50.0 ms)');
  });

  it('leave out a kind of work whose workload did not run', () => {
    const results = run([
      timed('io-bound', 'sequential', 'loop', around(1000), { items: 2000 }),
      timed('io-bound', 'piscina', 'map', around(200), { items: 2000 }),
    ]);
    expect(results.recommendations.map((r) => r.work)).toEqual(['io-bound']);
  });
});
