import { Worker, type WorkerOptions } from 'node:worker_threads';
import {
  type BackendOptions,
  crashError,
  type Job,
  type JobResult,
  SlotBackend,
  type SlotWorker,
  WorkerCrashedError,
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
    run: (job: Job, transfer: readonly ArrayBuffer[]) =>
      new Promise<JobResult>((resolve) => {
        // Throws a DataCloneError if an argument cannot be cloned; WorkerSlots rejects the job with it.
        // `transfer`: the job's buffers to move, not copy (threads: capabilities.transfers).
        worker.postMessage(job, transfer as ArrayBuffer[]);
        current = resolve;
      }),
    stop: () => worker.terminate().then(() => {}),
    keepAlive: (alive) => (alive ? worker.ref() : worker.unref()),
  };
}

/** Runs each job on one of `size` worker threads, one job per worker at a time. */
export class __Pascal__Backend extends SlotBackend {
  readonly name = '__name__';

  constructor(options: BackendOptions, libraryOptions: __Pascal__Options = {}) {
    // Capabilities are declared once, here; the core and the conformance suite read them.
    // SlotBackend's defaults: stopsRunningJobs (stop() ends an aborted job's thread, a new one
    // starts), isolatesCrashes (process.exit() ends only that thread), threads share one pid,
    // transfers (threads move buffers: run() passes its transfer list to postMessage).
    super(options, (crashed) => spawnWorker(libraryOptions, crashed), {
      stopsRunningJobs: true,
      isolatesCrashes: true,
      separateProcesses: false,
    });
  }
}
