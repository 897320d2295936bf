import { Worker, type WorkerOptions } from 'node:worker_threads';
import {
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  isDataCloneError,
  type Job,
  type JobResult,
  PoolStateError,
  PoolTerminatedError,
  toCloneError,
  WorkerCrashedError,
} from '@parapool/core';

/** Options for every worker thread: the `__camel__` key of `createPool`. */
export type __Pascal__Options = Pick<WorkerOptions, 'env' | 'execArgv' | 'resourceLimits' | 'stdout' | 'stderr'>;

/** Parent → worker. */
export interface ToWorker {
  readonly id: number;
  readonly job: Job;
}

/** Worker → parent. */
export type FromWorker =
  | { readonly ready: true }
  | { readonly id: number; readonly result: JobResult }
  /** The result could not be cloned; the text says why. */
  | { readonly id: number; readonly unsendable: string };

interface Pending {
  readonly id: number;
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  slot?: Slot;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** We stopped it (retired, aborted, closed): its exit is not a crash. */
  retired: boolean;
  pending: Pending | undefined;
  jobs: number;
}

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);
/** Consecutive workers that died before they were ready, after which queued jobs fail instead of waiting. */
const MAX_FAILED_STARTS = 3;

/** Runs each job on one of `size` worker threads, one job per worker at a time. */
export class __Pascal__Backend implements Backend {
  readonly name = '__name__';
  readonly size: number;
  // Declared once; the core and the conformance suite read this and nothing else.
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: true, // abort terminates the job's thread and starts a new one
    isolatesCrashes: true, // process.exit() or an uncaught error ends only the task's thread
    inProcess: false,
    separateProcesses: false, // threads share the caller's process (one pid)
  };
  readonly #options: __Pascal__Options;
  readonly #maxJobs: number | undefined;
  readonly #slots = new Set<Slot>();
  #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #failedStarts = 0;
  #drained: (() => void) | undefined;

  constructor(options: BackendOptions, libraryOptions: __Pascal__Options = {}) {
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    this.#options = libraryOptions;
    this.#fill();
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new PoolStateError('Backend is closed: create a new pool'));
    return new Promise<JobResult>((resolve, reject) => {
      const onAbort = () => this.#abort(pending);
      const pending: Pending = {
        id: this.#nextId++,
        job,
        signal,
        resolve(result) {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject(error) {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(pending);
      this.#failedStarts = 0; // a new call tries to start workers again
      this.#fill();
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.#busy()) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#closed = true;
    await this.#stopAll();
  }

  async terminate(): Promise<void> {
    this.#closed = true;
    const error = new PoolTerminatedError();
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    for (const slot of this.#slots) slot.pending?.reject(error);
    this.#drained?.();
    await this.#stopAll();
  }

  async #stopAll(): Promise<void> {
    const slots = [...this.#slots];
    for (const slot of slots) slot.retired = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #spawn(): void {
    const worker = new Worker(WORKER_ENTRY, this.#options);
    const slot: Slot = { worker, ready: false, retired: false, pending: undefined, jobs: 0 };
    this.#slots.add(slot);
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    // An uncaught error in the worker: 'exit' follows, which fails the job.
    worker.on('error', () => {});
    worker.once('exit', (exitCode) => this.#onExit(slot, exitCode));
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if ('ready' in message) {
      slot.ready = true;
      this.#failedStarts = 0;
    } else if (slot.pending?.id === message.id) {
      const pending = slot.pending;
      slot.pending = undefined;
      if ('result' in message) pending.resolve(message.result);
      else pending.reject(toCloneError(new Error(message.unsendable), 'result'));
      if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
    }
    this.#dispatch();
  }

  #onExit(slot: Slot, exitCode: number): void {
    this.#slots.delete(slot);
    if (!slot.retired) {
      slot.pending?.reject(new WorkerCrashedError({ exitCode }));
      if (!slot.ready) this.#failedStarts++;
    }
    slot.pending = undefined;
    if (this.#failedStarts >= MAX_FAILED_STARTS && this.#slots.size === 0) {
      const error = new WorkerCrashedError({ exitCode, reason: 'worker threads fail to start; check the options' });
      for (const pending of this.#queue.splice(0)) pending.reject(error);
    }
    this.#fill();
    this.#dispatch();
  }

  #abort(pending: Pending): void {
    if (pending.slot?.pending === pending) {
      // Running: stop its thread now; #fill puts a fresh one in its place.
      pending.slot.pending = undefined;
      this.#retire(pending.slot);
    } else {
      this.#queue = this.#queue.filter((p) => p !== pending);
    }
    pending.reject(pending.signal?.reason);
    this.#dispatch();
  }

  /** Stops a worker we no longer want (aborted, or at maxtasksperchild) and starts its replacement. */
  #retire(slot: Slot): void {
    slot.retired = true;
    this.#slots.delete(slot);
    void slot.worker.terminate();
    this.#fill();
  }

  /** Starts workers until `size` are alive (unless closed, or workers keep failing to start). */
  #fill(): void {
    if (this.#closed || this.#failedStarts >= MAX_FAILED_STARTS) return;
    while (this.#slots.size < this.size) this.#spawn();
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) break;
      if (!slot.ready || slot.pending) continue;
      const pending = this.#queue.shift() as Pending;
      try {
        slot.worker.postMessage({ id: pending.id, job: pending.job } satisfies ToWorker);
      } catch (error) {
        // The arguments could not be cloned; the worker never saw the job.
        pending.reject(isDataCloneError(error) ? toCloneError(error, 'argument') : error);
        continue;
      }
      pending.slot = slot;
      slot.pending = pending;
      slot.jobs++;
    }
    // Idle workers do not keep the program alive (a script that forgets close() still exits).
    const busy = this.#busy();
    for (const slot of this.#slots) busy ? slot.worker.ref() : slot.worker.unref();
    if (!busy) this.#drained?.();
  }

  #busy(): boolean {
    return this.#queue.length > 0 || [...this.#slots].some((slot) => slot.pending);
  }
}
