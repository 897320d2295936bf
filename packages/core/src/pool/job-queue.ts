import type { Backend } from '../backends/backend.js';
import { type Control, jobControl } from '../backends/job-control.js';
import type { Job, JobResult } from '../wire/job.js';
import { decodeResult, encodeJob } from '../wire/job-codec.js';
import { isPackedTuples, jobLength, unpackTuples } from '../wire/packing.js';
import { QueueStats } from './insights.js';

/** A job's result as the core's callers see it: tuples unpacked. */
export interface ReceivedResult extends JobResult {
  readonly values: unknown[] | Float64Array;
}

/** What a job's submitter hears: once, with an error or with the result. */
export type JobDone = (error: unknown, result?: ReceivedResult, roundTripMs?: number) => void;

/** A job submitted to the queue: waiting in the core, then on the backend. */
export interface Ticket {
  /**
   * Drops the job: its submitter hears `reason` at once. A job that has not
   * started never starts; a running one goes on (its result is dropped), or,
   * with `stop`, is stopped where the backend can stop it.
   */
  cancel(reason: unknown, stop: boolean): void;
}

class Entry implements Ticket {
  readonly job: Job;
  readonly done: JobDone;
  readonly queue: JobQueue;
  /** Index of the job's first item in its call (for insights). */
  readonly firstItem: number;
  /** Number of items, counted at once: a job's packed buffers may be moved to a worker (then read empty). */
  readonly items: number;
  readonly queuedAt = performance.now();
  handedAt = 0;
  /** The submitter has heard the outcome (a result, an error, or its own cancel). */
  settled = false;
  /** Set once handed to the backend. */
  control: Control | undefined;

  constructor(queue: JobQueue, job: Job, done: JobDone, firstItem: number) {
    this.queue = queue;
    this.job = job;
    this.done = done;
    this.firstItem = firstItem;
    this.items = jobLength(job);
  }

  cancel(reason: unknown, stop: boolean): void {
    this.queue.cancel(this, reason, stop);
  }
}

/** A result with tuples unpacked, so callers only see arrays (or a Float64Array of numbers). */
function unpacked(result: JobResult): ReceivedResult {
  return isPackedTuples(result.values)
    ? { ...result, values: unpackTuples(result.values) }
    : (result as ReceivedResult);
}

/**
 * The core's one queue of jobs not yet started. Every call's chunks wait here,
 * in submission order; a job is handed to the backend only when a worker can
 * take it (`backend.jobsPerWorker`, default one per worker), so until then
 * cancelling it is just forgetting it, whatever the backend.
 */
export class JobQueue {
  readonly #backend: Backend;

  #waiting: Entry[] = [];
  #head = 0;
  /** Jobs handed to the backend whose outcome the backend has not given yet. */
  readonly #onBackend = new Set<Entry>();
  #idleWaiters: Array<() => void> = [];
  #pumpQueued = false;
  /** What the queue sees of every job, for insights. */
  readonly stats = new QueueStats();

  constructor(backend: Backend) {
    this.#backend = backend;
    // More workers (hosts joining a distributed backend): hand them waiting jobs now,
    // not when the next running job finishes.
    backend.onResize?.(() => this.#pump());
  }

  /** Jobs waiting here or on the backend. */
  get pending(): number {
    return this.#waiting.length - this.#head + this.#onBackend.size;
  }

  /** Queues `job` (whose first item is item `firstItem` of its call); `done` hears its outcome once. */
  submit(job: Job, done: JobDone, firstItem = 0): Ticket {
    const entry = new Entry(this, job, done, firstItem);
    this.stats.queued(entry.items);
    this.#waiting.push(entry);
    this.#pump();
    return entry;
  }

  /** @internal (through {@link Ticket.cancel}) */
  cancel(entry: Entry, reason: unknown, stop: boolean): void {
    if (entry.control) entry.control.cancel(reason, stop);
    if (entry.settled) return;
    entry.settled = true;
    this.stats.dropped();
    entry.done(reason);
    if (!entry.control) this.#notifyIdle(); // a waiting job is simply skipped
  }

  /**
   * Cancels every job with `reason` and asks the backend to stop running ones
   * (terminate). The backend is stopped separately.
   */
  cancelAll(reason: () => unknown): void {
    const waiting = this.#waiting;
    const head = this.#head;
    this.#waiting = [];
    this.#head = 0;
    for (let i = head; i < waiting.length; i++) (waiting[i] as Entry).cancel(reason(), true);
    for (const entry of [...this.#onBackend]) entry.cancel(reason(), true);
    this.#notifyIdle();
  }

  /** Resolves when no job waits here or runs on the backend. */
  idle(): Promise<void> {
    if (this.#livePending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #livePending(): number {
    this.#skipSettled();
    return this.#waiting.length - this.#head + this.#onBackend.size;
  }

  #skipSettled(): void {
    const waiting = this.#waiting;
    while (this.#head < waiting.length && (waiting[this.#head] as Entry).settled) this.#head++;
    if (this.#head === waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > waiting.length) {
      this.#waiting = waiting.slice(this.#head);
      this.#head = 0;
    }
  }

  #pump(): void {
    const limit = Math.max(1, this.#backend.size) * (this.#backend.jobsPerWorker ?? 1);
    while (this.#onBackend.size < limit) {
      this.#skipSettled();
      const entry = this.#waiting[this.#head];
      if (!entry) break;
      this.#head++;
      this.#start(entry);
    }
  }

  #start(entry: Entry): void {
    const control = jobControl();
    entry.control = control;
    entry.handedAt = performance.now();
    this.#onBackend.add(entry);
    let outcome: Promise<JobResult>;
    try {
      // Registered class instances travel as plain data (a no-op when none are registered).
      outcome = this.#backend.run(encodeJob(entry.job), control);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => this.#finish(entry, undefined, result),
      (error: unknown) => this.#finish(entry, error, undefined),
    );
  }

  #finish(entry: Entry, error: unknown, result: JobResult | undefined): void {
    this.#onBackend.delete(entry);
    // Waiting ends when the job reached a worker (or, if the backend does not say, at the hand-over).
    const startedAt = entry.control?.startedAt ?? entry.handedAt;
    const roundTripMs = performance.now() - startedAt;
    this.stats.handed(startedAt - entry.queuedAt);
    this.stats.finished(entry.job, entry.items, entry.firstItem, roundTripMs, result);
    if (!entry.settled) {
      entry.settled = true;
      if (result) entry.done(undefined, unpacked(decodeResult(result)), roundTripMs);
      else entry.done(error);
    }
    // Hand out the next job only after the submitter has seen this outcome: a
    // call that fails fast cancels its waiting chunks first, so they never start.
    if (!this.#pumpQueued) {
      this.#pumpQueued = true;
      queueMicrotask(() => {
        this.#pumpQueued = false;
        this.#pump();
        this.#notifyIdle();
      });
    }
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || this.#livePending() !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
