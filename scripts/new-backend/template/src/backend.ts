import { Worker, type WorkerOptions } from 'node:worker_threads';
import {
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  crashError,
  type Job,
  type JobResult,
  type SlotWorker,
  WorkerCrashedError,
  WorkerSlots,
} from '@parapool/core';

/** Options for every worker thread: the `__camel__` key of `createPool`. */
export type __Pascal__Options = Pick<WorkerOptions, 'env' | 'execArgv' | 'resourceLimits' | 'stdout' | 'stderr'>;

/** Worker → parent: `ready` once the worker entry has loaded, then one result per job. */
export type FromWorker = { readonly ready: true } | { readonly result: JobResult };

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);

/**
 * Starts one worker (here: a raw worker thread) and tells the core's
 * WorkerSlots how to run a job on it, stop it, and when it died. WorkerSlots
 * does the rest: the queue, one job per worker, replacing a worker after
 * `maxtasksperchild` jobs, after a crash or an abort, and the startup-failure guard.
 */
function spawnWorker(options: __Pascal__Options, crashed: (error: WorkerCrashedError) => void): SlotWorker {
  const worker = new Worker(WORKER_ENTRY, options);
  let ready!: () => void;
  let current: ((result: JobResult) => void) | undefined;
  worker.on('message', (message: FromWorker) => {
    if ('ready' in message) ready();
    else current?.(message.result);
  });
  // An uncaught error comes as 'error' (then 'exit'); process.exit() in a task as 'exit' alone, with its code.
  worker.once('error', (error) => crashed(crashError(error)));
  worker.once('exit', (exitCode) => crashed(new WorkerCrashedError({ exitCode })));
  return {
    ready: new Promise<void>((resolve) => (ready = resolve)),
    run: (job: Job) =>
      new Promise<JobResult>((resolve) => {
        // Throws a DataCloneError if an argument cannot be cloned; WorkerSlots rejects the job with it.
        worker.postMessage(job);
        current = resolve;
      }),
    stop: () => worker.terminate().then(() => {}),
    keepAlive: (alive) => (alive ? worker.ref() : worker.unref()),
  };
}

/** Runs each job on one of `size` worker threads, one job per worker at a time. */
export class __Pascal__Backend implements Backend {
  readonly name = '__name__';
  readonly size: number;
  // Declared once; the core and the conformance suite read this and nothing else.
  readonly capabilities: BackendCapabilities = {
    stopsRunningJobs: true, // stop() terminates the thread of an aborted job; WorkerSlots starts a new one
    isolatesCrashes: true, // process.exit() or an uncaught error ends only the task's thread
    inProcess: false,
    separateProcesses: false, // threads share the caller's process (one pid)
  };
  readonly #slots: WorkerSlots;

  constructor(options: BackendOptions, libraryOptions: __Pascal__Options = {}) {
    this.size = options.processes;
    this.#slots = new WorkerSlots({
      size: options.processes,
      maxJobs: options.maxtasksperchild,
      spawn: (crashed) => spawnWorker(libraryOptions, crashed),
    });
  }

  run(job: Job, signal?: AbortSignal): Promise<JobResult> {
    return this.#slots.run(job, signal);
  }

  close(): Promise<void> {
    return this.#slots.close();
  }

  terminate(): Promise<void> {
    return this.#slots.terminate();
  }
}
