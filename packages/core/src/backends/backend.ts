import type { Job, JobResult } from '../wire/job.js';
import type { WorkerInsight, WorkerListener } from './worker-log.js';

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
  /**
   * The backend reports its workers: per-worker figures in `pool.insights()`
   * and the worker events. Without it, insights have the pool's figures only
   * (`workers` is empty) and no worker event fires.
   */
  readonly observesWorkers: boolean;
  /**
   * ArrayBuffers can be moved to a worker and back instead of copied (worker
   * threads): the core's packed chunks and results, and values marked with
   * `transfer()`, whose sender's copy is then detached. Without it, every value
   * is copied and the sender keeps its own (worker processes, a network).
   */
  readonly transfers: boolean;
  /**
   * Each busy worker also holds its next jobs (`JOBS_AHEAD`), and starts each
   * the moment the one before ends, without waiting for the caller's thread
   * (thread workers whose library hands a busy worker a job at once). A job
   * ahead that is cancelled before it starts never starts, and one whose worker
   * dies or is stopped before it starts goes to another worker; but when a
   * chunk fails, the chunks its worker held ahead may have started before the
   * caller heard of it.
   */
  readonly jobsAhead: boolean;
  /**
   * A running task call's `taskSignal()` aborts when its call is cancelled: its caller aborts
   * (the call's `signal`), the call fails fast (another item failed) or is left (`break` out of an
   * imap), or the pool is terminated; the task then has the grace period to end before its worker
   * is stopped. Without it, a running task hears only its timeout.
   */
  readonly signalsTasks: boolean;
}

/** Options the core resolves and validates before it builds a backend. */
export interface BackendOptions {
  /** Number of workers. An integer ≥ 1. */
  readonly processes: number;
  /** Replace a worker after this many jobs. `undefined`: never. */
  readonly maxtasksperchild: number | undefined;
  /** Replace a worker whose heap is above this many MB after a job. `undefined`: never. */
  readonly maxmemoryperchild?: number | undefined;
  /** Milliseconds a task gets after its signal aborted on a timeout before its worker is stopped. Default 1000. */
  readonly grace?: number | undefined;
}

/**
 * The SPI an adapter implements: move one job to one worker and back. The core
 * owns everything else (chunking, ordering, callbacks, state).
 */
export interface Backend {
  /** The backend's name, as insights and errors show it (`piscina`, `inline`, …). */
  readonly name: string;
  /** Number of workers (what `processes` resolved to). */
  readonly size: number;
  /** What it can do, read by the core and by the conformance suite (declared once, here). */
  readonly capabilities: BackendCapabilities;
  /**
   * How many jobs per worker the core may hand over at once, an integer ≥ 1:
   * 1 (the default: a job is handed over when a worker is free), or more for a
   * backend that keeps jobs ready to go (one running, the others waiting on its
   * worker or near it: jobs ahead, a slow hand-over such as a network).
   */
  readonly jobsPerWorker?: number;
  /**
   * True when the workers are not this machine's (the slots of hosts elsewhere, as a queue's): `size`
   * then says nothing about this machine's cores, and the core does not warn about a pool larger than
   * them. Leave it out (false) for workers on this machine.
   */
  readonly workersElsewhere?: boolean;
  /**
   * Run one job on one worker. The core calls this only when a worker can take
   * the job (at most `size * jobsPerWorker` jobs are on a backend at once), so
   * whatever waits here is short and cancellable.
   *
   * Resolves with the per-item outcomes; rejects only when the job as a whole
   * failed (worker crash → WorkerCrashedError; an argument that cannot be
   * cloned → CloneError, and then the job never ran; cancelled before it
   * started → `control.reason`).
   *
   * `control` is the job's own cancellation: once `control.cancelled`, a job
   * that has not started must never start; once `control.stopRequested`, a
   * running one is stopped if `capabilities.stopsRunningJobs` (otherwise its
   * result is dropped). Either way the promise must still settle, so the core
   * knows the worker is free.
   */
  run(job: Job, control: JobControl): Promise<JobResult>;
  /**
   * Each worker's figures for `pool.insights()` (optional: a backend without
   * them reports no workers); with `reset`, a fresh window starts after.
   */
  workerInsights?(reset: boolean): WorkerInsight[];
  /** Subscribes to worker events (start, exit, crash, recycle, replace); returns an unsubscribe function. */
  listen?(listener: WorkerListener): () => void;
  /**
   * For a backend whose `size` changes while it runs (workers on other hosts
   * joining or leaving): calls `listener` after `size` changed, so the core
   * hands waiting jobs to the new workers at once. Returns an unsubscribe function.
   */
  onResize?(listener: () => void): () => void;
  /** Finish what was handed to `run`, then stop every worker. */
  close(): Promise<void>;
  /** Stop every worker now; reject what is queued or running. */
  terminate(): Promise<void>;
}

/** Builds a backend from the core's validated options. */
export type BackendFactory = (options: BackendOptions) => Backend;

/**
 * A job's own cancellation, made by the core and handed to the backend with
 * the job. Cancelling drops a job (a fail-fast, a `break` out of imap); a stop
 * also asks that running work be stopped (the caller's `signal`, `terminate()`).
 */
export interface JobControl {
  /** True once the core no longer wants this job: if it has not started, it must never start. */
  readonly cancelled: boolean;
  /** True once running work should be stopped, not only dropped. */
  readonly stopRequested: boolean;
  /** Why the job was cancelled. */
  readonly reason: unknown;
  /**
   * Calls `listener` when the job is cancelled, and again if a stop follows a
   * plain cancel. Returns a function that removes the listener.
   */
  onCancel(listener: () => void): () => void;
  /**
   * The backend says the job has reached a worker (for insights: time until
   * then is waiting, not moving data). Optional: without it, the hand-over counts.
   */
  started(): void;
}
