import { CloneError, PoolStateError, PoolTerminatedError, WorkerCrashedError, WorkerStartupError } from '../errors.js';
import { isDataCloneError, toCloneError } from '../wire/error-transport.js';
import type { Job, JobResult } from '../wire/job.js';
import { jobLength } from '../wire/packing.js';
import { jobTransferList } from '../wire/transfer.js';
import type { JobControl } from './backend.js';
import { type WorkerEndReason, WorkerLog } from './worker-log.js';

/** One worker as an adapter starts it: runs one job at a time. */
export interface SlotWorker {
  /**
   * Runs a job on this worker; rejects only if the job could not be sent (e.g.
   * a DataCloneError). `transfer` lists the job's ArrayBuffers to move instead
   * of copy (e.g. `postMessage(job, transfer)`, piscina's `transferList`); it is
   * empty unless the backend declares `capabilities.transfers`.
   */
  run(job: Job, transfer: readonly ArrayBuffer[]): Promise<JobResult>;
  /**
   * Stops the worker now; resolves once it has exited. Called at any time:
   * while the worker starts, runs a job or is idle, and after it died (then it
   * must still resolve). The core waits at most `stopTimeoutMs` for it.
   */
  stop(): Promise<void>;
  /**
   * Resolves when the worker is up. A worker that dies before this is a failed
   * start. Without it, a worker that dies before finishing any job counts as one.
   */
  readonly ready?: Promise<void>;
  /** While `true`, the worker keeps the caller's program alive (idle workers need not). */
  keepAlive?(alive: boolean): void;
  /** The worker's OS process id, if the adapter knows it before the first job (insights learn it from results otherwise). */
  readonly pid?: number | undefined;
  /** The worker's thread id, likewise. */
  readonly threadId?: number | undefined;
}

/** Starts a worker; the worker calls `crashed` if it dies on its own. */
export type SpawnWorker<W extends SlotWorker = SlotWorker> = (crashed: (error: WorkerCrashedError) => void) => W;

/** Options of {@link WorkerSlots}. */
export interface WorkerSlotsOptions<W extends SlotWorker = SlotWorker> {
  /** Number of workers. */
  readonly size: number;
  /** Replace a worker after this many jobs. */
  readonly maxJobs: number | undefined;
  readonly spawn: SpawnWorker<W>;
  /** Failed starts in a row after which the pool stops respawning until the next call. Default 3. */
  readonly maxFailedStarts?: number;
  /**
   * How long `close()`/`terminate()` wait for one worker's `stop()` (a library
   * whose stop never resolves must not hang the pool). Default 10 s.
   */
  readonly stopTimeoutMs?: number;
  /** Hand each worker its job's transfer list (the core's packed buffers, values marked with `transfer()`). Default false. */
  readonly transfers?: boolean;
}

/** Resolves when `stopping` settles, or after `ms`. */
function bounded(stopping: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([stopping.catch(() => {}), late]).finally(() => clearTimeout(timer));
}

const NO_TRANSFER: readonly ArrayBuffer[] = Object.freeze([]);

/** A WorkerCrashedError for a worker that died of `error` (an uncaught exception, out of memory...). */
export function crashError(error: unknown): WorkerCrashedError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'it failed with a non-Error value';
  const crash = new WorkerCrashedError({ reason });
  crash.cause = error;
  return crash;
}

interface Pending {
  readonly job: Job;
  readonly control: JobControl;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
  stopListening?: () => void;
}

interface Slot<W extends SlotWorker> {
  worker: W;
  pending: Pending | undefined;
  jobs: number;
  ready: boolean;
  retired: boolean;
  /** The worker's id in the log. */
  logId: number;
}

/**
 * The part of a Backend every adapter shares: `size` workers, one job each at a
 * time, the few jobs the core has handed over ahead (at most one per worker,
 * each cancellable until it starts), and the contract's worker rules — a worker is replaced after
 * `maxJobs` jobs, when it dies (only its job fails, with WorkerCrashedError), and
 * when its running job is aborted; workers that keep dying while starting stop
 * being respawned (their jobs fail with WorkerStartupError) until the next call.
 *
 * An adapter supplies only `spawn`: how to start one worker with its library,
 * run a job on it, stop it, and tell when it died.
 */
export class WorkerSlots<W extends SlotWorker = SlotWorker> {
  readonly #options: WorkerSlotsOptions<W>;
  readonly #maxFailedStarts: number;
  readonly #slots: Slot<W>[] = [];
  /** Jobs the core handed over that wait for a free worker (the core keeps the rest). */
  readonly #ready: Pending[] = [];
  readonly #exiting = new Set<Promise<void>>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #failedStarts = 0;
  #lastStartFailure: WorkerCrashedError | undefined;
  #drained: (() => void) | undefined;
  /** Every worker's life, for insights and events. */
  readonly log = new WorkerLog();

  constructor(options: WorkerSlotsOptions<W>) {
    this.#options = options;
    this.#maxFailedStarts = options.maxFailedStarts ?? 3;
    // Workers start when work comes, as many as it needs (up to `size`): a pool
    // of 100 for three items starts three, and creating a pool never blocks.
  }

  /** The live workers (for adapters that expose, e.g., process ids). */
  get workers(): W[] {
    return this.#slots.map((slot) => slot.worker);
  }

  run(job: Job, control: JobControl): Promise<JobResult> {
    if (this.#state === 'stopped') return Promise.reject(new PoolStateError('The pool was stopped: create a new one'));
    if (control.cancelled) return Promise.reject(control.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, control, resolve, reject };
      pending.stopListening = control.onCancel(() => this.#cancel(pending));
      this.#ready.push(pending);
      // Workers that failed to start are tried again on each new call.
      this.#grow();
      this.#pump();
    });
  }

  /** Finishes what was queued, then stops every worker. */
  async close(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closing';
    for (const slot of this.#slots) slot.worker.keepAlive?.(true);
    if (this.#busy()) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#stopAll();
  }

  /** Rejects everything with PoolTerminatedError and stops every worker now. */
  async terminate(): Promise<void> {
    this.#state = 'stopped';
    for (const pending of this.#ready.splice(0)) this.#settle(pending, new PoolTerminatedError());
    for (const slot of this.#slots) if (slot.pending) this.#settle(slot.pending, new PoolTerminatedError());
    await this.#stopAll();
  }

  #busy(): boolean {
    return this.#ready.length > 0 || this.#slots.some((slot) => slot.pending);
  }

  /** Starts workers while jobs wait that no worker (up or starting) is free for, up to `size`. */
  #grow(): void {
    let free = 0;
    for (const slot of this.#slots) if (!slot.pending) free++;
    while (this.#slots.length < this.#options.size && free < this.#ready.length) {
      this.#slots.push(this.#spawn());
      free++;
    }
  }

  #spawn(replaces?: number): Slot<W> {
    const slot = { pending: undefined, jobs: 0, ready: false, retired: false } as Slot<W>;
    slot.logId = this.log.spawned(replaces);
    slot.worker = this.#options.spawn((error) => this.#crash(slot, error));
    this.log.identify(slot.logId, { pid: slot.worker.pid, threadId: slot.worker.threadId });
    // A worker that cannot say when it is up counts as up at once (told after the pool has subscribed).
    if (!slot.worker.ready) queueMicrotask(() => this.log.ready(slot.logId));
    slot.worker.keepAlive?.(this.#state !== 'running');
    slot.worker.ready?.then(
      () => {
        if (slot.retired) return;
        slot.ready = true;
        this.#failedStarts = 0;
        this.log.identify(slot.logId, { pid: slot.worker.pid, threadId: slot.worker.threadId });
        this.log.ready(slot.logId);
        this.#pump();
      },
      () => {},
    );
    return slot;
  }

  #pump(): void {
    for (const slot of this.#slots) {
      // A worker that says when it is up gets work only then: if it fails to
      // start, the job waits for a replacement instead of failing with it.
      if (slot.pending || (slot.worker.ready && !slot.ready)) continue;
      const next = this.#ready.shift();
      if (!next) break;
      this.#start(slot, next);
    }
    // Idle workers keep the program alive only while work waits for them (or the pool is closing).
    const hold = this.#ready.length > 0 || this.#state !== 'running';
    for (const slot of this.#slots) if (!slot.pending) slot.worker.keepAlive?.(hold);
    if (this.#drained && !this.#busy()) this.#drained();
  }

  #start(slot: Slot<W>, pending: Pending): void {
    slot.pending = pending;
    slot.worker.keepAlive?.(true);
    this.log.busy(slot.logId);
    pending.control.started();
    // Counted now: the job's packed buffers may be moved to the worker (then empty here).
    const items = jobLength(pending.job);
    const transfer = this.#options.transfers ? jobTransferList(pending.job) : NO_TRANSFER;
    slot.worker.run(pending.job, transfer).then(
      (result) => {
        if (slot.pending !== pending) return; // aborted, crashed or terminated meanwhile
        slot.jobs += 1;
        slot.ready = true;
        this.#failedStarts = 0;
        if (result.ran) this.log.identify(slot.logId, result.ran.worker);
        this.log.ready(slot.logId);
        this.log.idle(slot.logId, items);
        if (this.#options.maxJobs !== undefined && slot.jobs >= this.#options.maxJobs) this.#retire(slot, 'recycle');
        this.#settle(pending, undefined, result);
        this.#pump();
      },
      (error: unknown) => {
        if (slot.pending !== pending) return;
        // An argument that cannot be cloned is refused before it reaches the worker, which lives on.
        const refused = error instanceof CloneError || (error as Error | undefined)?.name === 'CloneError';
        if (!refused && !isDataCloneError(error)) return this.#crash(slot, crashError(error));
        this.log.idle(slot.logId, 0);
        this.#settle(pending, refused ? error : toCloneError(error, 'argument'));
        this.#pump();
      },
    );
  }

  #settle(pending: Pending, error: unknown, result?: JobResult): void {
    pending.stopListening?.();
    for (const slot of this.#slots) if (slot.pending === pending) slot.pending = undefined;
    if (result) pending.resolve(result);
    else pending.reject(error);
  }

  /** The core cancelled a job: one not started never starts; a running one is stopped only if asked to. */
  #cancel(pending: Pending): void {
    const index = this.#ready.indexOf(pending);
    if (index >= 0) {
      this.#ready.splice(index, 1);
      this.#settle(pending, pending.control.reason);
      this.#pump();
      return;
    }
    if (!pending.control.stopRequested) return; // it runs to the end; the core drops its result
    const running = this.#slots.find((slot) => slot.pending === pending);
    if (!running) return;
    this.#settle(pending, pending.control.reason);
    this.#retire(running, 'abort'); // stop the worker that was running it; a fresh one takes its place
    this.#pump();
  }

  #crash(slot: Slot<W>, error: WorkerCrashedError): void {
    if (slot.retired) return;
    const pending = slot.pending;
    const failedStart = slot.worker.ready ? !slot.ready : slot.jobs === 0 && !pending;
    if (failedStart) {
      this.#failedStarts++;
      this.#lastStartFailure = error;
    }
    const giveUp = this.#failedStarts >= this.#maxFailedStarts;
    this.#retire(slot, 'crash', this.#state !== 'stopped' && !giveUp, error);
    if (pending) this.#settle(pending, error);
    if (giveUp && this.#slots.length === 0) {
      // No worker can start: fail what waits rather than respawn in a loop.
      for (const waiting of this.#ready.splice(0)) this.#settle(waiting, this.#startError());
    }
    this.#pump();
  }

  #startError(): WorkerStartupError {
    return new WorkerStartupError(this.#failedStarts, this.#lastStartFailure);
  }

  /** Stops a slot's worker and, if `replace`, starts a fresh one in its place. */
  #retire(slot: Slot<W>, reason: WorkerEndReason, replace = this.#state !== 'stopped', error?: Error): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.pending = undefined;
    const index = this.#slots.indexOf(slot);
    let replacement: Slot<W> | undefined;
    if (replace) {
      replacement = this.#spawn(slot.logId);
      this.#slots[index] = replacement;
    } else this.#slots.splice(index, 1);
    this.log.ended(slot.logId, reason, error, replacement?.logId);
    let stopping: Promise<void>;
    try {
      stopping = slot.worker.stop();
    } catch (error) {
      stopping = Promise.reject(error);
    }
    const exiting = bounded(stopping, this.#options.stopTimeoutMs ?? 10_000).then(() => this.log.exited(slot.logId));
    this.#exiting.add(exiting);
    void exiting.then(() => this.#exiting.delete(exiting));
  }

  async #stopAll(): Promise<void> {
    this.#state = 'stopped';
    for (const slot of [...this.#slots]) this.#retire(slot, 'stop', false);
    await Promise.all(this.#exiting);
  }
}
