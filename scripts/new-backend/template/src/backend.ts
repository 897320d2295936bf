import { Worker, type WorkerOptions } from 'node:worker_threads';
import { channelWorker, defineAdapter, threadExecArgv } from '@parapool/core/adapter';

/** Options for every worker: the `__camel__` key of `createPool`. */
export type __Pascal__Options = Pick<WorkerOptions, 'env' | 'execArgv' | 'resourceLimits' | 'stdout' | 'stderr'>;

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);

/**
 * The adapter, declared: its name, its options key, the library options it
 * sets itself, what it can do, and how to start one worker (here: a raw worker
 * thread, which the core's channel worker talks to; replace it with your
 * library). The core does the rest: the queue, one job per worker, replacing a
 * worker after `maxtasksperchild` jobs, after a crash or an abort, and the
 * startup-failure guard.
 */
export class __Pascal__Backend extends defineAdapter({
  name: '__name__',
  package: '@parapool/__name__',
  optionsKey: '__camel__',
  // Library options the adapter sets itself, each with what to use instead, e.g.
  // { filename: owned.workerScript, maxThreads: owned.poolSize, maxQueue: owned.queue } (owned from @parapool/core/adapter).
  owns: {},
  // Only what differs from the defaults (stopsRunningJobs and isolatesCrashes true, threads of one process,
  // transfers: run() passes its transfer list on): e.g. { separateProcesses: true } for worker processes,
  // { jobsAhead: true } for threads that take their next jobs at once. The conformance suite checks each one both ways.
  capabilities: {},
  // With a library: start one of its workers, and return { ready, run, stop } (see CONTRIBUTING.md).
  spawn: (options: __Pascal__Options, crashed) =>
    channelWorker(new Worker(WORKER_ENTRY, { execArgv: threadExecArgv(), ...options }), crashed),
}) {}
