import { spin } from './work.js';

let cached: number | undefined;

/**
 * Iterations of `spin` per microsecond in this thread, so that a task of
 * "about 20 ms of pure computation" means the same on any machine. Takes the
 * fastest of several runs (the least disturbed by other processes).
 */
export function spinRatePerUs(): number {
  if (cached !== undefined) return cached;
  const iterations = 2_000_000;
  spin([1, iterations]); // let the JIT compile it
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    spin([i + 2, iterations]);
    best = Math.min(best, performance.now() - start);
  }
  cached = iterations / (best * 1000);
  return cached;
}

/** Iterations of `spin` that take about `us` microseconds here. */
export function iterationsFor(us: number): number {
  return Math.max(1, Math.round(us * spinRatePerUs()));
}
