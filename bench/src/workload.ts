import type { Pool } from '@parapool/core';
import type { BackendName, MethodId, RawId, WorkloadId } from './ids.js';
import type { RawPool } from './raw-libraries.js';
import type { RowInfo } from './results.js';
import type { Sizes } from './sizes.js';

/** One timed run's answer and duration. */
export interface Timed {
  readonly value: unknown;
  readonly ms: number;
  /** Each call's time, when the run is a loop of single calls timed one by one. */
  readonly callsMs?: readonly number[];
}

/** Times `fn` (wall clock, milliseconds). */
export async function timed(fn: () => unknown): Promise<Timed> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Cases over `items` items whose answers `verify` checks: each times its `fn`. */
export function caseMaker(items: number, verify: Case['verify']) {
  return (method: MethodId, label: string, fn: () => unknown, extra: Partial<RowInfo> = {}): Case => ({
    method,
    label,
    items,
    ...extra,
    run: () => timed(fn),
    verify,
  });
}

/** Runs `call(i)` for i < n one after another, timing each call; the answers in order. */
export async function timedCalls<R>(n: number, call: (i: number) => Promise<R>): Promise<Timed> {
  const value = new Array<R>(n);
  const callsMs = new Array<number>(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    value[i] = await call(i);
    callsMs[i] = performance.now() - t;
  }
  return { value, ms: performance.now() - start, callsMs };
}

/** One row of a workload's table: a method, run by one subject. */
export interface Case extends RowInfo {
  /** Runs once and says how long the measured part took. */
  run(): Promise<Timed>;
  /** `undefined` when the answer is right; otherwise what is wrong. */
  verify(value: unknown): string | undefined;
}

/** A parapool backend as a workload sees it. */
export interface PoolSubject {
  readonly id: BackendName;
  readonly processes: number;
  /** Its workers are OS processes: compare it with the limit's `fork` rows. */
  readonly separateProcesses: boolean;
  /** The pool shared by the workload's cases (absent for workloads that make their own pools). */
  readonly pool: Pool | undefined;
  /** A new pool of this backend. */
  create(): Pool;
}

/** A raw library as a workload sees it. */
export interface RawSubject {
  readonly id: RawId;
  readonly processes: number;
  readonly separateProcesses: boolean;
  readonly pool: RawPool | undefined;
  create(): Promise<RawPool>;
}

/** The limit column of a workload: its cases and what stops the bare workers they use. */
export interface LimitColumn {
  readonly cases: readonly Case[];
  stop(): Promise<void>;
}

/** What a workload hands the Python reference: its inputs and the answers Python must reproduce. */
export interface PythonPart {
  /** JSON given to python/pool_bench.py (file paths of binary inputs, sizes). */
  readonly config: Record<string, unknown>;
  /** sha256 (see verify.ts) of the right answer, by method; methods absent here are self-checked by Python. */
  readonly expected: Partial<Record<MethodId, string>>;
}

/** A workload ready to run: its inputs made, its sequential answer known. */
export interface Prepared {
  /** The sequential reference(s), run in the main thread. */
  readonly sequential: readonly Case[];
  /**
   * The rows of a backend. Building them starts nothing (the pool is only used
   * when a case runs), so the runner can count every run before the first one.
   */
  forPool(subject: PoolSubject): readonly Case[];
  forRaw(subject: RawSubject): readonly Case[];
  /** The limit column: bare `node:worker_threads` (or `fork`) code, as fast as the machine allows. */
  forLimit?(processes: number): Promise<LimitColumn>;
  /** How many rows forLimit() makes (for the progress before it starts). */
  readonly limitCases?: number;
  readonly python?: PythonPart;
  /** Releases what prepare() started (a server, temporary files). */
  close?(): Promise<void>;
}

/** What prepare() gets. */
export interface PrepareContext {
  readonly sizes: Sizes;
  readonly processes: number;
  readonly seed: number;
  /** A directory for inputs handed to Python. */
  readonly scratch: string;
  /** Whether the Python reference runs (then prepare() writes its inputs to `scratch`). */
  readonly python: boolean;
  /** The chunksize parapool's map uses for `items` items (the limit and the raw libraries get the same chunks). */
  chunksizeOf(items: number): Promise<number>;
}

/** A benchmark workload. */
export interface Workload {
  readonly name: WorkloadId;
  readonly title: string;
  /** One paragraph: what it measures and how. */
  readonly description: string;
  /** false: the cases create their own pools (cold start); true: one pool per subject is shared. */
  readonly sharedPool: boolean;
  prepare(context: PrepareContext): Promise<Prepared>;
}
