import type { SerializedError } from './error-transport.js';
import type { PackedTuples } from './numeric-packing.js';

/**
 * How a job names the function to run. Plain data: it can cross threads,
 * processes or (later) a network.
 */
export type TaskRef =
  | { readonly kind: 'module'; readonly module: string; readonly name: string }
  | { readonly kind: 'inline'; readonly source: string };

/** A task plus the arguments to call it with (used for the pool's initializer). */
export interface TaskCall {
  readonly task: TaskRef;
  readonly args: readonly unknown[];
}

/** One unit of work for one worker: a task and a chunk of items. */
export interface Job {
  readonly task: TaskRef;
  /**
   * The items of this chunk. With `spread`, each item is an argument list. A
   * chunk of numbers may come packed as a Float64Array (read it by index).
   */
  readonly items: readonly unknown[] | Float64Array;
  /** `true` for starmap/apply: each item is spread into the call. */
  readonly spread: boolean;
  /**
   * With `spread`, the argument lists may come column by column instead of in
   * `items` (then empty): call `i` is `fn(columns[0][i], columns[1][i], ...)`.
   * Sending a few long columns is much cheaper than many short lists.
   */
  readonly columns?: ReadonlyArray<readonly unknown[] | Float64Array>;
  /** The pool's initializer, run once per worker before its first job. */
  readonly initializer?: TaskCall;
}

/** A failed item of a job. */
export interface ItemFailure {
  readonly index: number;
  readonly error: SerializedError;
}

/**
 * What a worker sends back for a job: one value per item (in item order) and the
 * items that failed. `values[i]` is `undefined` where item `i` failed.
 */
export interface JobResult {
  /**
   * One value per item; a Float64Array when every value is a number; columns
   * (`{ packed: 'tuples' }`) when every value is a short tuple of numbers. The
   * core unpacks tuples as a result arrives; adapters pass values through.
   */
  readonly values: unknown[] | Float64Array | PackedTuples;
  readonly failures?: ItemFailure[];
}

/**
 * What a backend can and cannot do. Declared once, on the backend; the core and
 * the conformance suite read this and nothing else.
 */
export interface BackendCapabilities {
  /** An aborted job that is already running can be stopped (its worker is terminated and replaced). */
  readonly stopsRunningJobs: boolean;
  /** A task that kills its worker (`process.exit()`, a fatal error) fails only its own job; the caller survives. */
  readonly isolatesCrashes: boolean;
  /** The pool runs in the caller's own thread (no parallelism for synchronous tasks). */
  readonly inProcess: boolean;
  /** Workers are OS processes (not threads): `process.pid` differs per worker. */
  readonly separateProcesses: boolean;
}

/** Options the core resolves and validates before it builds a backend. */
export interface BackendOptions {
  /** Number of workers. An integer ≥ 1. */
  readonly processes: number;
  /** Replace a worker after this many jobs. `undefined`: never. */
  readonly maxtasksperchild: number | undefined;
}

/**
 * The SPI an adapter implements: move one job to one worker and back. The core
 * owns everything else (chunking, ordering, callbacks, state).
 */
export interface Backend {
  readonly name: string;
  /** Number of workers (what `processes` resolved to). */
  readonly size: number;
  readonly capabilities: BackendCapabilities;
  /**
   * Run one job on one worker. Resolves with the per-item outcomes; rejects only
   * when the job as a whole failed (worker crash → WorkerCrashedError, abort →
   * the signal's reason, a value that cannot be cloned → the clone error).
   * When `signal` aborts: a queued job is dropped; a running one is stopped if
   * `capabilities.stopsRunningJobs`.
   */
  run(job: Job, signal?: AbortSignal): Promise<JobResult>;
  /** Finish what was handed to `run`, then stop every worker. */
  close(): Promise<void>;
  /** Stop every worker now; reject what is queued or running. */
  terminate(): Promise<void>;
}

/** Builds a backend from the core's validated options. */
export type BackendFactory = (options: BackendOptions) => Backend;
