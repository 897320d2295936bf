import { fileURLToPath } from 'node:url';
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
import workerpool, { type Pool as WorkerPool, type WorkerPoolOptions } from 'workerpool';

/**
 * workerpool options for every worker: the `workerpool` key of `createPool`.
 * `minWorkers`/`maxWorkers`/`maxQueueSize`/`queueStrategy` are left out: the
 * pool size is `processes`, and parapool's core does the queueing.
 */
export type WorkerpoolOptions = Omit<
  WorkerPoolOptions,
  'minWorkers' | 'maxWorkers' | 'maxQueueSize' | 'queueStrategy' | 'script'
>;

interface Pending {
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  slot?: Slot;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
}

/**
 * One parapool worker: a workerpool pool of exactly one worker. workerpool's
 * own pool cannot say which worker ran a task nor retire one worker, which
 * `maxtasksperchild` and stopping one aborted job need.
 */
interface Slot {
  readonly pool: WorkerPool;
  ready: boolean;
  /** We stopped it (retired, aborted, closed): what it reports next is not a crash. */
  retired: boolean;
  pending: Pending | undefined;
  jobs: number;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker.js', import.meta.url));
/** Consecutive workers that died before they were ready, after which queued jobs fail instead of waiting. */
const MAX_FAILED_STARTS = 3;

/**
 * A result the worker could not send back. workerpool copies only own
 * properties of the worker's error, and a DOMException's message is not one:
 * the name and message survive only in `stack`.
 */
function resultCloneError(error: unknown): Error | undefined {
  if (isDataCloneError(error)) return toCloneError(error, 'result');
  const stack = error instanceof Error ? error.stack : undefined;
  const first = stack?.split('\n')[0];
  if (first?.startsWith('DataCloneError:')) return toCloneError(new Error(first.slice(16)), 'result');
  return undefined;
}

/** workerpool reports a dead worker as a TerminateError whose message holds the exit code. */
function crashOf(error: unknown): WorkerCrashedError {
  const message = error instanceof Error ? error.message : String(error);
  const code = /exitCode: `(-?\d+)`/.exec(message)?.[1];
  const signal = /signalCode: `(SIG\w+)`/.exec(message)?.[1] as NodeJS.Signals | undefined;
  return new WorkerCrashedError({
    exitCode: code === undefined ? null : Number(code),
    signal: signal ?? null,
    reason: message.split('\n')[0],
  });
}

/** Runs each job on one of `size` workerpool workers (threads by default), one job per worker at a time. */
export class WorkerpoolBackend implements Backend {
  readonly name = 'workerpool';
  readonly size: number;
  readonly capabilities: BackendCapabilities;
  readonly #options: WorkerpoolOptions;
  readonly #maxJobs: number | undefined;
  readonly #slots = new Set<Slot>();
  #queue: Pending[] = [];
  #closed = false;
  #failedStarts = 0;
  #drained: (() => void) | undefined;

  constructor(options: BackendOptions, libraryOptions: WorkerpoolOptions = {}) {
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    const workerType = libraryOptions.workerType ?? 'thread';
    if (workerType === 'web')
      throw new TypeError("workerpool.workerType 'web' is for browsers: use 'thread' or 'process'");
    // Processes talk JSON by default, which drops functions and mangles Map, Set, Date, BigInt...:
    // structured clone matches what worker threads do.
    const forkOpts =
      workerType === 'process' ? { serialization: 'advanced', ...libraryOptions.forkOpts } : libraryOptions.forkOpts;
    this.#options = { ...libraryOptions, workerType, forkOpts };
    const processes = workerType === 'process';
    this.capabilities = {
      stopsRunningJobs: true, // abort force-terminates the job's worker and starts a new one
      isolatesCrashes: true, // process.exit() or an uncaught error ends only that worker
      inProcess: false,
      separateProcesses: processes, // 'thread' (and 'auto' on Node) workers share the caller's pid
    };
    this.#fill();
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new PoolStateError('Backend is closed: create a new pool'));
    return new Promise<JobResult>((resolve, reject) => {
      const onAbort = () => this.#abort(pending);
      const pending: Pending = {
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
    await this.#stopAll(false);
  }

  async terminate(): Promise<void> {
    this.#closed = true;
    const error = new PoolTerminatedError();
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    for (const slot of this.#slots) slot.pending?.reject(error);
    this.#drained?.();
    await this.#stopAll(true);
  }

  async #stopAll(force: boolean): Promise<void> {
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const slot of slots) slot.retired = true;
    await Promise.allSettled(slots.map((slot) => slot.pool.terminate(force)));
  }

  #spawn(): void {
    const pool = workerpool.pool(WORKER_ENTRY, { ...this.#options, minWorkers: 1, maxWorkers: 1 });
    const slot: Slot = { pool, ready: false, retired: false, pending: undefined, jobs: 0 };
    this.#slots.add(slot);
    // 'methods' is built into every workerpool worker: its answer says the worker is up.
    pool.exec('methods', []).then(
      () => {
        slot.ready = true;
        this.#failedStarts = 0;
        this.#dispatch();
      },
      (error: unknown) => {
        if (slot.retired) return;
        this.#failedStarts++;
        this.#crashed(slot, error);
      },
    );
  }

  #crashed(slot: Slot, error: unknown): void {
    const crash = crashOf(error);
    slot.pending?.reject(crash);
    slot.pending = undefined;
    this.#retire(slot);
    if (this.#failedStarts >= MAX_FAILED_STARTS && this.#slots.size === 0) {
      for (const pending of this.#queue.splice(0)) pending.reject(crash);
    }
    this.#dispatch();
  }

  #abort(pending: Pending): void {
    if (pending.slot?.pending === pending) {
      // Running: stop its worker now; #retire puts a fresh one in its place.
      pending.slot.pending = undefined;
      this.#retire(pending.slot);
    } else {
      this.#queue = this.#queue.filter((p) => p !== pending);
    }
    pending.reject(pending.signal?.reason);
    this.#dispatch();
  }

  /** Stops a worker we no longer want (crashed, aborted, or at maxtasksperchild) and starts its replacement. */
  #retire(slot: Slot): void {
    slot.retired = true;
    if (!this.#slots.delete(slot)) return;
    void slot.pool.terminate(true).catch(() => {});
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
      pending.slot = slot;
      slot.pending = pending;
      slot.jobs++;
      try {
        // The worker is ready, so workerpool sends at once: an argument that cannot be cloned throws here.
        slot.pool.exec('runJob', [pending.job]).then(
          (result: JobResult) => this.#finished(slot, pending, result),
          (error: unknown) => this.#failed(slot, pending, error),
        );
      } catch (error) {
        slot.pending = undefined;
        pending.reject(isDataCloneError(error) ? toCloneError(error, 'argument') : error);
        // workerpool still counts the unsent task as running on that worker: replace it.
        this.#retire(slot);
      }
    }
    if (!this.#busy()) this.#drained?.();
  }

  #finished(slot: Slot, pending: Pending, result: JobResult): void {
    if (slot.pending !== pending) return;
    slot.pending = undefined;
    pending.resolve(result);
    if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
    this.#dispatch();
  }

  #failed(slot: Slot, pending: Pending, error: unknown): void {
    if (slot.retired || slot.pending !== pending) return;
    const cloneError = resultCloneError(error);
    if (cloneError) {
      // The worker could not send the result back; it is fine otherwise.
      slot.pending = undefined;
      pending.reject(cloneError);
      if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
      this.#dispatch();
      return;
    }
    this.#crashed(slot, error);
  }

  #busy(): boolean {
    return this.#queue.length > 0 || [...this.#slots].some((slot) => slot.pending);
  }
}
