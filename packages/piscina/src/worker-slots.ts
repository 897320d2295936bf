import {
  isDataCloneError,
  type Job,
  type JobResult,
  PoolTerminatedError,
  toCloneError,
  WorkerCrashedError,
} from '@parapool/core';
import type { WireResult } from './worker.js';

/** One worker, as a library gives it: runs one job at a time. */
export interface SlotWorker {
  /** Runs a job; resolves with what the worker entry returned. */
  run(job: Job): Promise<WireResult>;
  /** Stops the worker; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts a worker; it calls `crashed` if it dies on its own. */
export type SpawnWorker = (crashed: (error: WorkerCrashedError) => void) => SlotWorker;

/** A WorkerCrashedError for a worker that died of `error` (an uncaught exception, out of memory...). */
export function crashError(error: unknown): WorkerCrashedError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'it failed with a non-Error value';
  const crash = new WorkerCrashedError({ reason });
  crash.cause = error;
  return crash;
}

interface Pending {
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  worker: SlotWorker;
  pending: Pending | undefined;
  jobs: number;
  retired: boolean;
}

/**
 * `size` workers, one job each at a time, with the Backend semantics: a worker
 * is retired and replaced after `maxJobs` jobs, when it dies (only its job fails,
 * with WorkerCrashedError) and when its running job is aborted.
 */
export class WorkerSlots {
  readonly #spawnWorker: SpawnWorker;
  readonly #maxJobs: number | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #exiting = new Set<Promise<void>>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #drained: (() => void) | undefined;

  constructor(size: number, maxJobs: number | undefined, spawn: SpawnWorker) {
    this.#spawnWorker = spawn;
    this.#maxJobs = maxJobs;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
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

  /** Finishes what was queued, then stops every worker. */
  async close(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closing';
    if (this.#queue.length > 0 || this.#slots.some((slot) => slot.pending)) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#stopAll();
  }

  /** Rejects everything with PoolTerminatedError and stops every worker now. */
  async terminate(): Promise<void> {
    this.#state = 'stopped';
    for (const pending of this.#queue.splice(0)) this.#settle(pending, new PoolTerminatedError());
    for (const slot of this.#slots) if (slot.pending) this.#settle(slot.pending, new PoolTerminatedError());
    await this.#stopAll();
  }

  #spawn(): Slot {
    const slot = { pending: undefined, jobs: 0, retired: false } as Slot;
    slot.worker = this.#spawnWorker((error) => this.#crash(slot, error));
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
    slot.worker.run(pending.job).then(
      (wire) => {
        if (slot.pending !== pending) return; // aborted, crashed or terminated meanwhile
        slot.jobs += 1;
        if (this.#maxJobs !== undefined && slot.jobs >= this.#maxJobs) this.#retire(slot);
        if ('cloneError' in wire) this.#settle(pending, toCloneError(new Error(wire.cloneError), 'result'));
        else this.#settle(pending, undefined, wire);
        this.#pump();
      },
      (error: unknown) => {
        if (slot.pending !== pending) return;
        // An argument that cannot be cloned is refused before it reaches the worker, which lives on.
        if (!isDataCloneError(error)) return this.#crash(slot, crashError(error));
        this.#settle(pending, error);
        this.#pump();
      },
    );
  }

  #settle(pending: Pending, error: unknown, result?: JobResult): void {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    for (const slot of this.#slots) if (slot.pending === pending) slot.pending = undefined;
    if (result) pending.resolve(result);
    else pending.reject(error);
  }

  #abort(pending: Pending): void {
    const running = this.#slots.find((slot) => slot.pending === pending);
    const index = this.#queue.indexOf(pending);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#settle(pending, pending.signal?.reason);
    if (running) this.#retire(running); // stop the worker that was running it
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
    if (replace) this.#slots[index] = this.#spawn();
    else this.#slots.splice(index, 1);
    const exiting = slot.worker.stop().catch(() => {});
    this.#exiting.add(exiting);
    void exiting.then(() => this.#exiting.delete(exiting));
  }

  async #stopAll(): Promise<void> {
    this.#state = 'stopped';
    for (const slot of [...this.#slots]) this.#retire(slot, false);
    await Promise.all(this.#exiting);
  }
}
