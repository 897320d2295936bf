import { describe, expect, it } from 'vitest';
import { recommend } from '../src/recommend.js';
import { resultsOf, row } from './fixtures.js';

const about = (results: ReturnType<typeof resultsOf>, work: string) => recommend(results).find((r) => r.work === work);

describe('recommendations', () => {
  it('pick the CPU-bound backend by the measured speedup, naming ties', () => {
    const figures = (piscina: number, child: number) =>
      resultsOf([
        row('cpu-bound', 'sequential', 'loop', 640, { items: 32 }),
        row('cpu-bound', 'inline', 'map', 640, { items: 32, speedup: 1 }),
        row('cpu-bound', 'piscina', 'map', 640 / piscina, { items: 32, speedup: piscina }),
        row('cpu-bound', 'child-process', 'map', 640 / child, { items: 32, speedup: child }),
      ]);
    expect(about(figures(1.9, 1.5), 'cpu-bound')).toMatchObject({ choice: 'piscina' });
    expect(about(figures(1.5, 1.9), 'cpu-bound')).toMatchObject({ choice: 'child-process' });
    expect(about(figures(1.9, 1.88), 'cpu-bound')?.text).toContain('a tie on this machine');
    expect(about(figures(1.9, 1.5), 'cpu-bound')?.text).toContain('1.90× the sequential loop on 32 tasks of 20 ms');
  });

  it('say when no pool pays for CPU-bound work', () => {
    const results = resultsOf([
      row('cpu-bound', 'sequential', 'loop', 640, { items: 32 }),
      row('cpu-bound', 'piscina', 'map', 700, { items: 32, speedup: 0.91 }),
    ]);
    expect(about(results, 'cpu-bound')).toMatchObject({ choice: 'sequential' });
  });

  it('keep tiny items in a loop when the loop beats every pool, and say from what grain a pool pays', () => {
    const results = resultsOf([
      row('howmany', 'sequential', 'loop', 10, { items: 200_000 }),
      row('howmany', 'piscina', 'map', 45, { items: 200_000, vsLimit: 2.5 }),
      row('crossover', 'piscina', 'map', 1, { grainUs: 100 }),
    ]);
    results.workloads[1]!.crossoverUs = { piscina: 100 };
    const tiny = about(results, 'tiny-items');
    expect(tiny?.choice).toBe('sequential');
    expect(tiny?.text).toContain('10.0 ms');
    expect(tiny?.text).toContain('45.0 ms');
    expect(tiny?.text).toContain('100 µs per item');
  });

  it('recommend the fastest pool for tiny items when a pool beats the loop', () => {
    const results = resultsOf([
      row('howmany', 'sequential', 'loop', 50, { items: 200_000 }),
      row('howmany', 'piscina', 'map', 30, { items: 200_000 }),
      row('howmany', 'child-process', 'map', 40, { items: 200_000 }),
    ]);
    expect(about(results, 'tiny-items')?.choice).toBe('piscina');
  });

  it('recommend inline for I/O-bound work when it ties with the workers, the workers when they win', () => {
    const figures = (inline: number, piscina: number) =>
      resultsOf([
        row('io-bound', 'inline', 'map', 100, { items: 10_000, speedup: inline }),
        row('io-bound', 'piscina', 'map', 100, { items: 10_000, speedup: piscina }),
      ]);
    expect(about(figures(4.9, 5.0), 'io-bound')?.choice).toBe('inline');
    expect(about(figures(3, 5), 'io-bound')?.choice).toBe('piscina');
  });

  it('recommend a backend of separate processes for isolation, with what it costs here', () => {
    const results = resultsOf([
      row('cold-start', 'piscina', 'cold-start', 50),
      row('cold-start', 'child-process', 'cold-start', 120),
      row('cpu-bound', 'child-process', 'map', 350, { speedup: 1.85 }),
    ]);
    const isolation = about(results, 'isolation');
    expect(isolation?.choice).toBe('child-process');
    expect(isolation?.text).toContain('cold start 120 ms (the fastest with threads, piscina: 50.0 ms)');
  });

  it('say nothing of what isolation costs when no figure of its cost was measured', () => {
    const results = resultsOf([row('cpu-bound', 'child-process', 'map', 350, { speedup: 1.85 })]);
    const isolation = about(results, 'isolation');
    expect(isolation?.choice).toBe('child-process');
    expect(isolation?.text).not.toContain('What isolation costs');
    expect(isolation?.text).not.toMatch(/: \./);
  });

  it('leave out a kind of work whose workload did not run', () => {
    const results = resultsOf([row('io-bound', 'piscina', 'map', 100, { speedup: 5 })]);
    expect(recommend(results).map((r) => r.work)).toEqual(['io-bound', 'isolation']);
  });
});
