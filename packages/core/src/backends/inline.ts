import { isDataCloneError, toCloneError } from '../wire/error-transport.js';
import type { Job, JobResult } from '../wire/job.js';
import { WorkerRuntime } from '../worker/runtime.js';
import type { Backend, BackendCapabilities, BackendOptions } from './backend.js';

/**
 * Runs jobs in the calling thread (Python's `multiprocessing.dummy`), with the
 * same semantics as a real backend: `processes` virtual workers (each with its
 * own initializer state and id), arguments and results structured-cloned as they
 * would be across a worker boundary, workers replaced after `maxtasksperchild`.
 *
 * Synchronous tasks block the caller's event loop while they run; async tasks
 * interleave. Useful for debugging, tests, and I/O-bound async work.
 */
export class InlineBackend implements Backend {
  readonly name = 'inline';
  readonly size: number;
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: false,
    isolatesCrashes: false,
    inProcess: true,
    separateProcesses: false,
  };
  readonly #maxJobs: number | undefined;
  readonly #idle: WorkerRuntime[] = [];
  readonly #waiting: Array<(runtime: WorkerRuntime) => void> = [];
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: BackendOptions) {
    this.size = options.processes;
    this.#maxJobs = options.maxtasksperchild;
    for (let i = 0; i < this.size; i++) this.#idle.push(this.#spawn());
  }

  #spawn(): WorkerRuntime {
    return new WorkerRuntime({ idPrefix: 'inline', contextual: true });
  }

  async run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    let copy: Job;
    try {
      const { items, columns } = structuredClone({ items: job.items, columns: job.columns });
      copy = columns ? { ...job, items, columns } : { ...job, items };
    } catch (error) {
      throw isDataCloneError(error) ? toCloneError(error, 'argument') : error;
    }
    const runtime = await this.#acquire(signal);
    const running = (async () => {
      try {
        const result = await runtime.runJob(copy);
        try {
          return structuredClone(result);
        } catch (error) {
          throw isDataCloneError(error) ? toCloneError(error, 'result') : error;
        }
      } finally {
        this.#release(runtime);
      }
    })();
    this.#running.add(running);
    running.then(
      () => this.#running.delete(running),
      () => this.#running.delete(running),
    );
    return running;
  }

  #acquire(signal?: AbortSignal): Promise<WorkerRuntime> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const runtime = this.#idle.pop();
    if (runtime) return Promise.resolve(runtime);
    return new Promise((resolve, reject) => {
      const take = (r: WorkerRuntime) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(take);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(take);
    });
  }

  #release(runtime: WorkerRuntime): void {
    const next = this.#maxJobs !== undefined && runtime.info.jobs >= this.#maxJobs ? this.#spawn() : runtime;
    const waiter = this.#waiting.shift();
    if (waiter) waiter(next);
    else this.#idle.push(next);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  async terminate(): Promise<void> {
    // Nothing to stop: running tasks are in this thread. The pool has already
    // rejected their callers; their results are dropped.
    this.#waiting.length = 0;
  }
}
