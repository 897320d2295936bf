import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Backend, BackendCapabilities, BackendOptions, Job, JobResult } from '@parapool/core';
import { isDataCloneError, PoolTerminatedError, toCloneError, WorkerCrashedError } from '@parapool/core';
import { loadThreads, spawnable } from './threads-js.js';

/**
 * threads.js options, passed through: `timeout` goes to `spawn()`, the rest to
 * each worker thread, as threads.js's `new Worker(path, options)` does on Node
 * (`resourceLimits`, `env`, `execArgv`, `stdout`, ...).
 */
export interface ThreadsOptions extends Omit<WorkerOptions, 'eval' | 'transferList'> {
  /** Milliseconds to wait for a new worker to call `expose()` (threads.js: 10000, or THREADS_WORKER_INIT_TIMEOUT). */
  timeout?: number;
}

interface Pending {
  readonly job: Job;
  settle(outcome: unknown, ok?: boolean): void;
}

interface Slot {
  worker?: Worker;
  /** Settles once threads.js's spawn() has. */
  spawned: Promise<void>;
  thread?: (job: Job) => PromiseLike<JobResult>;
  running?: Pending;
  jobs: number;
  /** We stopped it: its exit is expected, not a crash. */
  stopped?: boolean;
  exited?: boolean;
  error?: Error;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Runs parapool jobs on worker threads spawned with threads.js, one job per
 * worker at a time, and adds what threads.js lacks: a dead worker fails its
 * job with WorkerCrashedError and is replaced, workers are recycled after
 * `maxtasksperchild` jobs, and an aborted running job stops its worker.
 */
export class ThreadsBackend implements Backend {
  readonly name = 'threads';
  readonly size: number;
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: true,
    isolatesCrashes: true,
    inProcess: false,
    separateProcesses: false,
  };
  readonly #maxJobs: number | undefined;
  readonly #timeout: number | undefined;
  readonly #workerOptions: WorkerOptions;
  readonly #slots = new Set<Slot>();
  readonly #inflight = new Set<Promise<JobResult>>();
  readonly #stopping = new Set<Promise<unknown>>();
  #queue: Pending[] = [];
  #closed = false;

  constructor(options: BackendOptions, threads: ThreadsOptions = {}) {
    const { timeout, ...workerOptions } = threads;
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    this.#timeout = timeout;
    this.#workerOptions = workerOptions;
    this.#pump();
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    if (this.#closed) return Promise.reject(new PoolTerminatedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const done = new Promise<JobResult>((resolve, reject) => {
      const onAbort = () => this.#abort(pending, signal?.reason);
      const pending: Pending = {
        job,
        settle(outcome, ok) {
          signal?.removeEventListener('abort', onAbort);
          if (ok) resolve(outcome as JobResult);
          else reject(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(pending);
    });
    this.#inflight.add(done);
    const forget = () => this.#inflight.delete(done);
    done.then(forget, forget);
    this.#pump();
    return done;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.settle(new PoolTerminatedError());
    for (const slot of [...this.#slots]) {
      slot.running?.settle(new PoolTerminatedError());
      this.#retire(slot);
    }
    await Promise.allSettled([...this.#stopping]);
  }

  /** Fills the pool back to its size, then hands queued jobs to idle workers. */
  #pump(): void {
    while (!this.#closed && this.#slots.size < this.size) this.#spawn();
    for (const slot of this.#slots) {
      const pending = slot.thread && !slot.running ? this.#queue.shift() : undefined;
      if (pending) this.#start(slot, pending);
    }
  }

  #spawn(): void {
    const slot: Slot = { jobs: 0, spawned: Promise.resolve() };
    this.#slots.add(slot);
    // The worker is created once threads.js is loaded, so spawn() listens before its init message can arrive.
    slot.spawned = loadThreads()
      .then(({ spawn }) => {
        const worker = new Worker(WORKER_URL, this.#workerOptions);
        slot.worker = worker;
        worker.on('error', (error) => {
          slot.error = error;
        });
        worker.on('exit', (code) => this.#exited(slot, code));
        return spawn<[Job], JobResult>(spawnable(worker), { timeout: this.#timeout });
      })
      .then(
        (thread) => {
          slot.thread = thread;
          this.#pump();
        },
        (error: unknown) => this.#startFailed(slot, error),
      );
  }

  #start(slot: Slot, pending: Pending): void {
    slot.running = pending;
    slot.jobs++;
    slot.thread?.(pending.job).then(
      (result) => this.#finished(slot, pending, result, true),
      (error: unknown) => {
        // Arguments fail to clone here, in postMessage (a DOMException); results
        // fail in the worker and come back through threads.js as a plain Error.
        const side = error instanceof DOMException ? 'argument' : 'result';
        this.#finished(slot, pending, isDataCloneError(error) ? toCloneError(error, side) : error, false);
      },
    );
  }

  #finished(slot: Slot, pending: Pending, outcome: unknown, ok: boolean): void {
    if (slot.running !== pending) return; // crashed, aborted or terminated meanwhile
    slot.running = undefined;
    pending.settle(outcome, ok);
    if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
    this.#pump();
  }

  #abort(pending: Pending, reason: unknown): void {
    this.#queue = this.#queue.filter((queued) => queued !== pending);
    pending.settle(reason);
    const slot = [...this.#slots].find((s) => s.running === pending);
    if (!slot) return;
    // threads.js cannot cancel a started call: stopping its worker is the only way.
    this.#retire(slot);
    this.#pump();
  }

  #exited(slot: Slot, exitCode: number): void {
    slot.exited = true;
    if (slot.stopped) return;
    if (!slot.thread) {
      this.#startFailed(slot, slot.error ?? new Error(`it exited with code ${exitCode}`));
      return;
    }
    const running = slot.running;
    this.#retire(slot);
    const error = new WorkerCrashedError({ exitCode });
    if (slot.error) error.cause = slot.error;
    running?.settle(error);
    this.#pump();
  }

  /** A worker that never came up: fail the queue rather than respawn in a loop (refilled on the next run). */
  #startFailed(slot: Slot, cause: unknown): void {
    if (slot.stopped) return;
    this.#retire(slot);
    if (this.#slots.size > 0) return; // other workers can still take the queue
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new Error(
      `A threads.js worker could not start: ${reason}. Check that @parapool/threads is completely built and installed, and that threads.timeout (if set) is long enough.`,
      { cause },
    );
    for (const pending of this.#queue.splice(0)) pending.settle(error);
  }

  #retire(slot: Slot): void {
    slot.stopped = true;
    slot.running = undefined;
    this.#slots.delete(slot);
    if (slot.exited) return;
    // Stopping a worker before spawn() has its init message would leave
    // threads.js's init timer (cleared only on success) holding the process.
    const stopping = slot.spawned.then(() => slot.worker?.terminate());
    this.#stopping.add(stopping);
    stopping.finally(() => this.#stopping.delete(stopping)).catch(() => {});
  }
}
