import type { Pool } from '@parapool/core';
import type { RawPool } from './raw-libraries.js';
import type { Sizes } from './sizes.js';

/** One timed run's answer and duration. */
export interface Timed {
  readonly value: unknown;
  readonly ms: number;
}

/** Times `fn` (wall clock, milliseconds). */
export async function timed(fn: () => unknown): Promise<Timed> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** One row of a workload's table: a method, run by one subject. */
export interface Case {
  /** The row's label, e.g. 'map' or 'applyAsync + callback'. */
  readonly method: string;
  /** Items it processes (for the overhead per item). */
  readonly items: number;
  /** The sequential case it is compared with; default: the workload's first sequential case. */
  readonly baseline?: string;
  /** Runs once and says how long the measured part took. */
  run(): Promise<Timed>;
  /** `undefined` when the answer is right; otherwise what is wrong. */
  verify(value: unknown): string | undefined;
}

/** A parapool backend as a workload sees it. */
export interface PoolSubject {
  readonly name: string;
  readonly processes: number;
  /** The pool shared by the workload's cases (absent for workloads that make their own pools). */
  readonly pool: Pool | undefined;
  /** A new pool of this backend. */
  create(): Pool;
}

/** A raw library as a workload sees it. */
export interface RawSubject {
  readonly name: string;
  readonly processes: number;
  readonly pool: RawPool | undefined;
  create(): Promise<RawPool>;
}

/** What a workload hands the Python reference: its inputs and the answers Python must reproduce. */
export interface PythonPart {
  /** JSON given to python/pool_bench.py (file paths of binary inputs, sizes). */
  readonly config: Record<string, unknown>;
  /** sha256 (see digest.ts) of the right answer, by method; methods absent here are self-checked by Python. */
  readonly expected: Record<string, string>;
}

/** A workload ready to run: its inputs made, its sequential answer known. */
export interface Prepared {
  /** The sequential reference(s), run in the main thread. */
  readonly sequential: readonly Case[];
  forPool(subject: PoolSubject): readonly Case[];
  forRaw(subject: RawSubject): readonly Case[];
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
}

/** A benchmark workload. */
export interface Workload {
  readonly name: string;
  readonly title: string;
  /** One paragraph: what it measures and how. */
  readonly description: string;
  /** false: the cases create their own pools (cold start); true: one pool per subject is shared. */
  readonly sharedPool: boolean;
  prepare(context: PrepareContext): Promise<Prepared>;
}
