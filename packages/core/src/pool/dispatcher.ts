import type { Backend } from '../backends/backend.js';
import type { Job, JobResult } from '../wire/job.js';
import { isPackedTuples, unpackTuples } from '../wire/packing.js';

/** A job's result as the core's callers see it: tuples unpacked. */
export interface ReceivedResult extends JobResult {
  readonly values: unknown[] | Float64Array;
}

/** A result with tuples unpacked, so callers only see arrays (or a Float64Array of numbers). */
function unpacked(result: JobResult): ReceivedResult {
  return isPackedTuples(result.values)
    ? { ...result, values: unpackTuples(result.values) }
    : (result as ReceivedResult);
}

/** A job handed to the dispatcher: queued in the core, then running on the backend. */
export interface Ticket {
  readonly promise: Promise<ReceivedResult>;
  /** Drops the job: a queued one never starts; a running one's result is ignored. */
  cancel(reason: unknown): void;
}

interface Entry extends Ticket {
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  state: 'queued' | 'running' | 'settled';
  resolve(result: ReceivedResult): void;
  reject(reason: unknown): void;
}

/**
 * The core's job queue. Keeps at most `window` jobs on the backend at once
 * (two per worker: one running, one ready to go), so jobs not yet started can
 * still be cancelled here, whatever the backend.
 */
export class Dispatcher {
  readonly #backend: Backend;
  readonly #window: number;
  readonly #queue: Entry[] = [];
  #head = 0;
  readonly #running = new Set<Entry>();
  #idleWaiters: Array<() => void> = [];

  constructor(backend: Backend, window: number) {
    this.#backend = backend;
    this.#window = window;
  }

  /** Number of jobs queued or running. */
  get pending(): number {
    return this.#queue.length - this.#head + this.#running.size;
  }

  submit(job: Job, signal?: AbortSignal): Ticket {
    let resolve!: (result: ReceivedResult) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<ReceivedResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = {
      job,
      signal,
      state: 'queued',
      promise,
      resolve,
      reject,
      cancel: (reason) => this.#cancel(entry, reason),
    };
    this.#queue.push(entry);
    this.#pump();
    return entry;
  }

  /** Rejects everything queued or running with `reason` (the backend is stopped separately). */
  rejectAll(reason: () => unknown): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i] as Entry;
      if (entry.state !== 'queued') continue;
      entry.state = 'settled';
      entry.reject(reason());
    }
    this.#queue.length = 0;
    this.#head = 0;
    for (const entry of this.#running) {
      entry.state = 'settled';
      entry.reject(reason());
    }
    this.#running.clear();
    this.#notifyIdle();
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #cancel(entry: Entry, reason: unknown): void {
    if (entry.state === 'settled') return;
    if (entry.state === 'queued') {
      entry.state = 'settled';
      entry.reject(reason);
      this.#compact();
      this.#notifyIdle();
      return;
    }
    // Running: the backend was given the caller's signal and stops it if it can;
    // the slot stays taken until the backend hands it back.
    entry.reject(reason);
  }

  #compact(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Entry).state !== 'queued') this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #pump(): void {
    while (this.#running.size < this.#window) {
      this.#compact();
      if (this.#head >= this.#queue.length) break;
      const entry = this.#queue[this.#head] as Entry;
      this.#head++;
      this.#start(entry);
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
  }

  #start(entry: Entry): void {
    entry.state = 'running';
    this.#running.add(entry);
    let outcome: Promise<JobResult>;
    try {
      outcome = this.#backend.run(entry.job, entry.signal);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => this.#finish(entry, () => entry.resolve(unpacked(result))),
      (error: unknown) => this.#finish(entry, () => entry.reject(error)),
    );
  }

  #finish(entry: Entry, settle: () => void): void {
    if (!this.#running.delete(entry)) return; // terminated meanwhile
    if (entry.state !== 'settled') {
      entry.state = 'settled';
      settle();
    }
    // Start the next job only after the caller has seen this result: a call that
    // fails fast cancels its queued chunks first, so they never start.
    queueMicrotask(() => {
      this.#pump();
      this.#notifyIdle();
    });
  }

  #notifyIdle(): void {
    if (this.pending !== 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
