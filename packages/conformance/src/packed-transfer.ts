/**
 * The core's own packed buffers (a chunk of numbers as a Float64Array, rows as
 * one matrix, argument columns) are moved to the worker on a backend that
 * declares `capabilities.transfers`, copied on the others; values cross
 * exactly either way. Checked on the backend itself, whose jobs are watched.
 */
import { type Backend, type BackendFactory, BasePool, currentRuntime, type Job } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';
import { tasks } from './tasks.js';

/** The buffers of a job the core packed (what it may move). */
function packedBuffers(job: Job): ArrayBufferView[] {
  const views: ArrayBufferView[] = [];
  if (job.items instanceof Float64Array) views.push(job.items);
  for (const column of job.columns ?? []) if (column instanceof Float64Array) views.push(column);
  return views;
}

/** A pool over `factory`'s backend whose jobs are recorded as the backend receives them. */
function watchedPool(factory: BackendFactory): { pool: BasePool; jobs: Job[]; backend: () => Backend } {
  const jobs: Job[] = [];
  let made: Backend | undefined;
  const pool = new BasePool({ processes: 2 }, (options) => {
    const backend = factory(options);
    made = backend;
    const watched: Backend = {
      name: backend.name,
      size: backend.size,
      capabilities: backend.capabilities,
      ...(backend.jobsPerWorker !== undefined && { jobsPerWorker: backend.jobsPerWorker }),
      run: (job, control) => {
        jobs.push(job);
        return backend.run(job, control);
      },
      close: () => backend.close(),
      terminate: () => backend.terminate(),
    };
    return watched;
  });
  return { pool, jobs, backend: () => made as Backend };
}

/**
 * Declares the checks of the core's packed buffers for one backend.
 *
 * @example
 * ```ts
 * import { describePackedTransfer } from '@parapool/conformance';
 * import { PiscinaBackend } from '../dist/index.js';
 * describePackedTransfer('piscina', (options) => new PiscinaBackend(options));
 * ```
 */
export function describePackedTransfer(name: string, factory: BackendFactory): void {
  describe(`${name}: the core's packed buffers`, () => {
    const refusal = refusalOf(factory);
    if (refusal) {
      // A backend refused on this runtime has nothing to check here but its refusal.
      it(`refuses this runtime at createPool: ${refusal.message}`, () => {
        expect(refusal.message).toContain(currentRuntime().label);
      });
      return;
    }
    for (const [label, run, expected] of [
      [
        'map of numbers (a Float64Array per chunk)',
        (pool: BasePool) => pool.map(tasks.identity, numbers(1000)),
        numbers(1000),
      ],
      ['map of rows (one matrix per chunk)', (pool: BasePool) => pool.map(tasks.identity, rows(300)), rows(300)],
      [
        'starmap (a Float64Array per argument column)',
        (pool: BasePool) =>
          pool.starmap(
            tasks.add,
            numbers(2000).map((x) => [x, 1] as [number, number]),
          ),
        numbers(2000).map((x) => x + 1),
      ],
    ] as const) {
      it(`${label}: values cross exactly; the buffers are moved if the backend transfers, else copied`, async () => {
        const { pool, jobs, backend } = watchedPool(factory);
        try {
          expect(await run(pool)).toEqual(expected);
          const { transfers, jobsAhead } = backend().capabilities;
          const views = jobs.flatMap(packedBuffers);
          expect(views.length).toBeGreaterThan(0);
          const moved = views.filter((view) => view.byteLength === 0).length;
          // A job sent ahead to a busy worker is copied (it may still go to another worker); the others are moved.
          if (transfers && jobsAhead) expect(moved).toBeGreaterThan(0);
          else expect(moved).toBe(transfers ? views.length : 0);
        } finally {
          await pool.terminate();
        }
      });
    }
  });
}

/** The UnsupportedRuntimeError a backend of `factory` throws on this runtime, if it does. */
function refusalOf(factory: BackendFactory): Error | undefined {
  try {
    void factory({ processes: 1, maxtasksperchild: undefined }).terminate();
    return undefined;
  } catch (error) {
    if ((error as Error | null)?.name !== 'UnsupportedRuntimeError') throw error;
    return error as Error;
  }
}

/** 0..n-1 with the values that must cross exactly mixed in (NaN, -0, fractions, 2^53). */
function numbers(n: number): number[] {
  const special = [Number.NaN, -0, 0.1 + 0.2, 2 ** 53, -Infinity];
  return Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (special[(i / 7) % special.length] as number) : i));
}

function rows(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => [i, -0, 0.5, i * 2, Number.NaN]);
}
