import {
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  isDataCloneError,
  type Job,
  type JobResult,
  PoolTerminatedError,
  toCloneError,
  WorkerCrashedError,
} from '@parapool/core';
import { type Options, Tinypool, type TinypoolWorker } from 'tinypool';
import type { WireResult } from './worker.js';

/** tinypool's constructor options minus the ones this adapter sets (see `OWNED`). */
export type TinypoolOptions = Omit<
  Options,
  | 'filename'
  | 'name'
  | 'minThreads'
  | 'maxThreads'
  | 'concurrentTasksPerWorker'
  | 'maxQueue'
  | 'isolateWorkers'
  | 'maxMemoryLimitBeforeRecycle'
  | 'teardown'
>;

const OWNED: Record<string, string> = {
  filename: 'the adapter runs its own worker entry; name tasks with defineTasks',
  name: 'the adapter runs its own worker entry; name tasks with defineTasks',
  minThreads: "use the pool's `processes` option",
  maxThreads: "use the pool's `processes` option",
  concurrentTasksPerWorker: "each worker runs one job at a time (a chunk's async items already run concurrently)",
  maxQueue: 'the core queues the jobs',
  isolateWorkers: 'use the pool option `maxtasksperchild: 1`',
  maxMemoryLimitBeforeRecycle:
    'tinypool would replace the worker behind the adapter, which cannot tell that from a crash; use `maxtasksperchild`, or `resourceLimits` to cap a worker',
  teardown: 'the adapter runs its own worker entry, which has no teardown task',
};

const WORKER = new URL('./worker.js', import.meta.url).href;

interface Pending {
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
  onAbort?: () => void;
  slot?: Slot;
}

/** One worker: a one-worker tinypool, so the adapter knows which thread runs which job. */
interface Slot {
  readonly pool: Tinypool;
  readonly worker: TinypoolWorker;
  readonly exited: Promise<void>;
  pending: Pending | undefined;
  jobs: number;
  retired: boolean;
}

function crashed(error: unknown): WorkerCrashedError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'it failed with a non-Error value';
  const crash = new WorkerCrashedError({ reason });
  crash.cause = error;
  return crash;
}

/**
 * The parapool Backend over tinypool: `size` one-worker tinypool pools, one per
 * worker (a thread, or a process with `runtime: 'child_process'`). A worker is
 * retired (its tinypool destroyed, a fresh one started in its
 * place) after `maxtasksperchild` jobs, when it dies, and when its running job is
 * aborted; only the job it held fails.
 */
export class TinypoolBackend implements Backend {
  readonly name = 'tinypool';
  readonly size: number;
  readonly capabilities: BackendCapabilities;
  readonly #options: Options;
  readonly #maxJobs: number | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #exiting = new Set<Promise<void>>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #drained: (() => void) | undefined;

  constructor(options: BackendOptions, tinypool: TinypoolOptions = {}) {
    for (const key of Object.keys(tinypool)) {
      const why = OWNED[key];
      if (why) throw new TypeError(`tinypool.${key} is set by @parapool/tinypool and cannot be passed: ${why}.`);
    }
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    const processes = tinypool.runtime === 'child_process';
    // tinypool forks with `env` = only its own variable unless given one, and with JSON
    // serialization (undefined, Map, Date... do not survive): give the child the usual.
    this.#options = processes
      ? { env: { ...process.env } as Record<string, string>, serialization: 'advanced', ...tinypool }
      : tinypool;
    this.capabilities = {
      stopsRunningJobs: true,
      isolatesCrashes: true,
      inProcess: false,
      separateProcesses: processes,
    };
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn());
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    if (this.#state !== 'running') return Promise.reject(new PoolTerminatedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, signal, resolve, reject };
      if (signal) {
        pending.onAbort = () => this.#abort(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closing';
    if (this.#queue.length > 0 || this.#slots.some((slot) => slot.pending)) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#stopAll();
  }

  async terminate(): Promise<void> {
    this.#state = 'stopped';
    for (const pending of this.#queue.splice(0)) this.#settle(pending, new PoolTerminatedError());
    for (const slot of this.#slots) if (slot.pending) this.#settle(slot.pending, new PoolTerminatedError());
    await this.#stopAll();
  }

  #spawn(): Slot {
    const pool = new Tinypool({ ...this.#options, filename: WORKER, minThreads: 1, maxThreads: 1 });
    const worker = pool.threads[0] as TinypoolWorker;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const slot: Slot = { pool, worker, exited, pending: undefined, jobs: 0, retired: false };
    // A worker that exits on its own (process.exit in a task) fails its job with the exit code.
    // tinypool itself never notices that a thread exited: its job would hang.
    worker.once('exit', (exitCode: number | null, signal: NodeJS.Signals | null = null) =>
      this.#crash(slot, new WorkerCrashedError({ exitCode, signal })),
    );
    // tinypool emits 'error' for a worker that dies while idle (a stray timer threw).
    pool.on('error', (error: unknown) => this.#crash(slot, crashed(error)));
    return slot;
  }

  #pump(): void {
    for (const slot of this.#slots) {
      const next = slot.pending ? undefined : this.#queue.shift();
      if (next) this.#start(slot, next);
    }
    if (this.#drained && this.#queue.length === 0 && !this.#slots.some((slot) => slot.pending)) this.#drained();
  }

  #start(slot: Slot, pending: Pending): void {
    slot.pending = pending;
    pending.slot = slot;
    (slot.pool.run(pending.job) as Promise<WireResult>).then(
      (wire) => {
        if (slot.pending !== pending) return; // aborted, crashed or terminated meanwhile
        slot.pending = undefined;
        slot.jobs += 1;
        if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
        if ('cloneError' in wire) this.#settle(pending, toCloneError(new Error(wire.cloneError), 'result'));
        else this.#settle(pending, undefined, wire);
        this.#pump();
      },
      (error: unknown) => {
        if (slot.pending !== pending) return;
        // An argument that cannot be cloned is refused before it reaches the worker, which lives on.
        if (isDataCloneError(error) && slot.pool.threads.includes(slot.worker)) {
          slot.pending = undefined;
          this.#settle(pending, error);
          this.#pump();
        } else this.#crash(slot, crashed(error));
      },
    );
  }

  #settle(pending: Pending, error: unknown, result?: JobResult): void {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (pending.slot?.pending === pending) pending.slot.pending = undefined;
    pending.slot = undefined;
    if (result) pending.resolve(result);
    else pending.reject(error);
  }

  #abort(pending: Pending): void {
    const slot = pending.slot;
    const index = this.#queue.indexOf(pending);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#settle(pending, pending.signal?.reason);
    if (slot) this.#retire(slot); // it was running: stop its worker
    this.#pump();
  }

  #crash(slot: Slot, error: WorkerCrashedError): void {
    if (slot.retired) return;
    const pending = slot.pending;
    this.#retire(slot);
    if (pending) this.#settle(pending, error);
    this.#pump();
  }

  /** Stops a slot's worker and, unless the pool is stopping, starts a fresh one in its place. */
  #retire(slot: Slot, replace = this.#state !== 'stopped'): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.pending = undefined;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) {
      if (replace) this.#slots[index] = this.#spawn();
      else this.#slots.splice(index, 1);
    }
    // Not awaited: tinypool's destroy() waits for an 'exit' that a thread which already
    // exited never emits again; the worker's own exit is what counts.
    slot.pool.destroy().catch(() => {});
    const exiting = slot.exited;
    this.#exiting.add(exiting);
    void exiting.finally(() => this.#exiting.delete(exiting));
  }

  async #stopAll(): Promise<void> {
    this.#state = 'stopped';
    for (const slot of [...this.#slots]) this.#retire(slot, false);
    await Promise.all(this.#exiting);
  }
}
