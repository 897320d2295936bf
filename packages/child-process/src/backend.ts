import type { ChildProcess } from 'node:child_process';
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
import { type ChildProcessOptions, checkOptions, forkWorker, type WorkerMessage } from './fork-worker.js';
import { WorkerStartupError } from './startup-error.js';

/** Consecutive failed starts after which the pool stops respawning until the next call. */
const MAX_FAILED_STARTS = 3;

interface Pending {
  readonly id: number;
  readonly job: Job;
  readonly signal: AbortSignal | undefined;
  worker?: Worker;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
}

interface Worker {
  readonly child: ChildProcess;
  ready: boolean;
  /** We stopped it (retired, aborted, closed): its exit is not a crash. */
  retiring: boolean;
  job: Pending | undefined;
  jobs: number;
  readonly exited: Promise<void>;
}

/**
 * A fixed set of `child_process.fork` workers (one OS process each, like
 * Python's Pool), talking over IPC with structured-clone serialization.
 */
export class ChildProcessBackend implements Backend {
  readonly name = 'child-process';
  readonly size: number;
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: true,
    isolatesCrashes: true,
    inProcess: false,
    separateProcesses: true,
  };
  readonly #options: ChildProcessOptions;
  readonly #maxJobs: number | undefined;
  readonly #workers = new Set<Worker>();
  #queue: Pending[] = [];
  #nextId = 1;
  #state: 'running' | 'closing' | 'closed' = 'running';
  #failedStarts = 0;
  #lastStartError: WorkerStartupError | undefined;
  #referenced = true;
  #drained: (() => void) | undefined;

  constructor(options: BackendOptions, childProcess?: ChildProcessOptions) {
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    this.#options = checkOptions(childProcess);
    this.#fill(true);
    this.#updateRefs();
  }

  /** Process ids of the live worker processes (replaced workers drop out as they exit). */
  get pids(): number[] {
    return [...this.#workers].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#state === 'closed') return Promise.reject(new PoolStateError('Backend is closed: create a new pool'));
    return new Promise<JobResult>((resolve, reject) => {
      const onAbort = () => this.#abort(pending);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          fn(value);
        };
      const pending: Pending = { id: this.#nextId++, job, signal, resolve: settle(resolve), reject: settle(reject) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(pending);
      // After failed starts the pool stopped respawning: a new call tries again.
      if (this.#workers.size === 0) this.#fill(true);
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closing';
    this.#updateRefs();
    if (this.#busy()) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#state = 'closed';
    for (const w of this.#workers) this.#retire(w, false);
    await Promise.all([...this.#workers].map((w) => w.exited));
  }

  async terminate(): Promise<void> {
    this.#state = 'closed';
    const error = new PoolTerminatedError();
    for (const p of this.#queue.splice(0)) p.reject(error);
    for (const w of this.#workers) {
      w.job?.reject(error);
      w.job = undefined;
      this.#retire(w, true);
    }
    this.#drained?.();
    this.#updateRefs();
    await Promise.all([...this.#workers].map((w) => w.exited));
  }

  #spawn(): void {
    const child = forkWorker(this.#options);
    let exited!: () => void;
    const worker: Worker = {
      child,
      ready: false,
      retiring: false,
      job: undefined,
      jobs: 0,
      exited: new Promise((resolve) => (exited = resolve)),
    };
    this.#workers.add(worker);
    child.on('message', (message: WorkerMessage) => this.#onMessage(worker, message));
    child.once('exit', (code, signal) => this.#onExit(worker, exited, code, signal));
    // A process that could not be spawned at all emits 'error' and never 'exit'.
    child.on('error', (error) => {
      if (child.pid === undefined) this.#onExit(worker, exited, null, null, error);
    });
    this.#ref(worker, this.#referenced);
  }

  #onMessage(worker: Worker, message: WorkerMessage): void {
    if ('ready' in message) {
      worker.ready = true;
      this.#failedStarts = 0;
      this.#fill(false);
    } else if (worker.job?.id === message.id) {
      const pending = worker.job;
      worker.job = undefined;
      if ('result' in message) pending.resolve(message.result);
      else pending.reject(toCloneError(new Error(message.unsendable), 'result'));
      if (this.#maxJobs !== undefined && worker.jobs >= this.#maxJobs) this.#replace(worker, false);
    }
    this.#dispatch();
  }

  #onExit(worker: Worker, exited: () => void, code: number | null, signal: NodeJS.Signals | null, error?: Error) {
    if (!this.#workers.delete(worker)) return;
    exited();
    const pending = worker.job;
    worker.job = undefined;
    pending?.reject(new WorkerCrashedError({ exitCode: code, signal }));
    if (!worker.retiring && !worker.ready) {
      this.#failedStarts++;
      this.#lastStartError = new WorkerStartupError({ exitCode: code, signal, error });
    }
    this.#fill(false);
    if (this.#workers.size === 0 && this.#failedStarts >= MAX_FAILED_STARTS) {
      // Every start failed: fail what waits rather than respawn in a loop.
      for (const p of this.#queue.splice(0)) p.reject(this.#lastStartError);
    }
    this.#dispatch();
  }

  #abort(pending: Pending): void {
    const worker = pending.worker;
    if (!worker) {
      this.#queue = this.#queue.filter((p) => p !== pending);
    } else if (worker.job === pending) {
      // The job is running: stop its process now, put a fresh one in its place.
      worker.job = undefined;
      this.#replace(worker, true);
    }
    pending.reject(pending.signal?.reason);
    this.#dispatch();
  }

  /** Stops a worker (gracefully or with SIGKILL) and starts a new one in its place. */
  #replace(worker: Worker, kill: boolean): void {
    this.#retire(worker, kill);
    this.#fill(false);
  }

  /** Starts workers until `size` are alive, unless stopped or (without `retry`) failing to start. */
  #fill(retry: boolean): void {
    if (this.#state === 'closed' || (!retry && this.#failedStarts >= MAX_FAILED_STARTS)) return;
    let alive = 0;
    for (const w of this.#workers) if (!w.retiring) alive++;
    for (; alive < this.size; alive++) this.#spawn();
  }

  #retire(worker: Worker, kill: boolean): void {
    worker.retiring = true;
    // Disconnecting closes the IPC channel: the worker exits on 'disconnect'.
    if (kill) worker.child.kill('SIGKILL');
    else if (worker.child.connected) worker.child.disconnect();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idleWorker();
      if (!worker) break;
      const pending = this.#queue.shift() as Pending;
      pending.worker = worker;
      worker.job = pending;
      worker.jobs++;
      try {
        worker.child.send({ id: pending.id, job: pending.job });
      } catch (error) {
        // The arguments could not be serialized; the worker never saw the job.
        worker.job = undefined;
        worker.jobs--;
        pending.reject(isDataCloneError(error) ? toCloneError(error, 'argument') : error);
      }
    }
    this.#updateRefs();
    if (!this.#busy()) this.#drained?.();
  }

  #idleWorker(): Worker | undefined {
    for (const w of this.#workers) if (w.ready && !w.retiring && !w.job && w.child.connected) return w;
    return undefined;
  }

  #busy(): boolean {
    if (this.#queue.length > 0) return true;
    for (const w of this.#workers) if (w.job) return true;
    return false;
  }

  /**
   * Idle workers do not keep the parent's event loop alive (a program that
   * forgets close() still exits; its workers follow on 'disconnect'). Busy or
   * stopping ones do.
   */
  #updateRefs(): void {
    const busy = this.#state !== 'running' || this.#busy();
    if (busy === this.#referenced) return;
    this.#referenced = busy;
    for (const w of this.#workers) this.#ref(w, busy);
  }

  #ref(worker: Worker, on: boolean): void {
    if (on) {
      worker.child.ref();
      worker.child.channel?.ref();
    } else {
      worker.child.unref();
      worker.child.channel?.unref();
    }
  }
}
