import { Worker, type WorkerOptions } from 'node:worker_threads';
import { defineAdapter, type Job, type JobResult, watchWorker } from '@parapool/core/adapter';

/** Options for every worker: the `__camel__` key of `createPool`. */
export type __Pascal__Options = Pick<WorkerOptions, 'env' | 'execArgv' | 'resourceLimits' | 'stdout' | 'stderr'>;

/** Worker → parent: `ready` once the worker entry has loaded, then one result per job. */
export type FromWorker = { readonly ready: true } | { readonly result: JobResult };

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);

/**
 * The adapter, declared: its name, its options key, the library options it
 * sets itself, what it can do, and how to start one worker (here: a raw worker
 * thread; replace it with your library). The core's WorkerSlots does the rest:
 * the queue, one job per worker, replacing a worker after `maxtasksperchild`
 * jobs, after a crash or an abort, and the startup-failure guard.
 */
export class __Pascal__Backend extends defineAdapter({
  name: '__name__',
  package: '@parapool/__name__',
  optionsKey: '__camel__',
  // Library options the adapter sets itself, each with what to use instead, e.g.
  // { filename: owned.workerScript, maxThreads: owned.poolSize, maxQueue: owned.queue } (owned from @parapool/core).
  owns: {},
  // Only what differs from the defaults (stopsRunningJobs and isolatesCrashes true, threads of one process,
  // transfers: run() passes its transfer list on):
  // e.g. { separateProcesses: true } for worker processes. The conformance suite checks each one both ways.
  capabilities: {},
  spawn(options: __Pascal__Options, crashed) {
    const worker = new Worker(WORKER_ENTRY, options);
    // 'error' (an uncaught exception) and 'exit' (process.exit() in a task) become crashed(...).
    const { exited } = watchWorker(worker, crashed);
    let ready!: () => void;
    let current: ((result: JobResult) => void) | undefined;
    worker.on('message', (message: FromWorker) => {
      if ('ready' in message) ready();
      else current?.(message.result);
    });
    return {
      ready: new Promise<void>((resolve) => (ready = resolve)),
      run: (job: Job, transfer: readonly ArrayBuffer[]) =>
        new Promise<JobResult>((resolve) => {
          // Throws a DataCloneError if an argument cannot be cloned; the core rejects the job with a CloneError.
          // `transfer`: the job's buffers to move, not copy (threads: capabilities.transfers, the default).
          worker.postMessage(job, transfer as ArrayBuffer[]);
          current = resolve;
        }),
      // Called at any time (starting, busy, idle, or after the worker died): must resolve once it has exited.
      stop: () => worker.terminate().then(() => exited),
      keepAlive: (alive) => (alive ? worker.ref() : worker.unref()),
    };
  },
}) {}
