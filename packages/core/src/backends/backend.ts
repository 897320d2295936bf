import type { Job, JobResult } from '../wire/job.js';

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
