import type { Backend, BackendCapabilities, BackendOptions, Job, JobControl, JobResult } from '../../src/adapter.js';
import { BasePool } from '../../src/adapter.js';
import type { PoolOptions } from '../../src/pool/types.js';
import { jobLength } from '../../src/wire/packing.js';
import { WorkerRuntime } from '../../src/worker/runtime.js';
import { timedRun } from '../../src/worker/thread.js';

/** A job the fake backend was handed: the test decides when (and how) it ends. */
export interface HandedJob {
  readonly job: Job;
  readonly control: JobControl;
  /** Runs the job's items now (in this thread) and answers with their outcomes. */
  complete(): Promise<void>;
  /** Answers with the given outcomes, as a worker would send them. */
  answer(result: JobResult): void;
  /** Answers with a whole-job failure (a crash, a refused argument). */
  fail(error: unknown): void;
  /** True once answered. */
  readonly answered: boolean;
}

/**
 * A backend for the scheduler's own tests: no worker threads. Every job it is
 * handed waits until the test completes it, so ordering, windows and
 * cancellation can be checked step by step, deterministically.
 */
export class FakeBackend implements Backend {
  readonly name = 'fake';
  size: number;
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: true,
    isolatesCrashes: true,
    inProcess: true,
    separateProcesses: false,
    observesWorkers: false,
    jobsAhead: false,
    signalsTasks: false,
    transfers: false,
  };
  readonly jobsPerWorker: 1 | 2;
  /** Every job handed over, in order. */
  readonly handed: HandedJob[] = [];
  /** Items run by `complete()`, counted. */
  itemsRun = 0;
  closed = false;
  terminated = false;
  readonly #runtime = new WorkerRuntime({ idPrefix: 'fake' });

  constructor(options: BackendOptions, jobsPerWorker: 1 | 2 = 1) {
    this.size = options.processes;
    this.jobsPerWorker = jobsPerWorker;
  }

  /** Jobs handed over and not yet answered. */
  get onBackend(): HandedJob[] {
    return this.handed.filter((h) => !h.answered);
  }

  run(job: Job, control: JobControl): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      let answered = false;
      const runtime = this.#runtime;
      const handed: HandedJob = {
        job,
        control,
        get answered() {
          return answered;
        },
        complete: async () => {
          if (answered) return;
          this.itemsRun += jobLength(job);
          const result = await timedRun(runtime, job);
          answered = true;
          resolve(result);
        },
        answer: (result) => {
          if (answered) return;
          answered = true;
          resolve(result);
        },
        fail: (error) => {
          if (answered) return;
          answered = true;
          reject(error);
        },
      };
      // A stoppable backend ends a running job that is asked to stop.
      control.onCancel(() => {
        if (control.stopRequested) handed.fail(control.reason);
      });
      this.handed.push(handed);
    });
  }

  readonly #resizeListeners = new Set<() => void>();

  onResize(listener: () => void): () => void {
    this.#resizeListeners.add(listener);
    return () => this.#resizeListeners.delete(listener);
  }

  /** Changes the number of workers, as workers joining a distributed backend would. */
  resize(size: number): void {
    this.size = size;
    for (const listener of this.#resizeListeners) listener();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    for (const h of this.handed) h.fail(new Error('terminated'));
  }
}

/** A pool over a FakeBackend, and the backend. */
export function fakePool(
  options: PoolOptions = {},
  jobsPerWorker: 1 | 2 = 1,
): { pool: BasePool; backend: FakeBackend } {
  let backend: FakeBackend | undefined;
  const pool = new BasePool({ processes: 2, ...options }, (resolved) => {
    backend = new FakeBackend(resolved, jobsPerWorker);
    return backend;
  });
  return { pool, backend: backend as FakeBackend };
}

/** Lets every pending promise reaction and microtask run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `promise` has settled (after letting reactions run). */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await settle();
  return settled;
}
