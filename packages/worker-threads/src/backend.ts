import { Worker, type WorkerOptions } from 'node:worker_threads';
import { channelWorker, defineAdapter, threadExecArgv } from '@parapool/core/adapter';

/**
 * Options for every worker thread: the `workerThreads` key of `createPool`.
 * (Not `stdout`/`stderr`: the pool owns its Workers, so nothing would read those streams.)
 */
export type WorkerThreadsOptions = Pick<WorkerOptions, 'env' | 'execArgv' | 'resourceLimits'>;

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);

/**
 * The parapool Backend over bare `node:worker_threads`, no pool library: each
 * parapool worker is one `Worker` that the core's channel worker talks to
 * (jobs by `postMessage`, packed buffers moved both ways). The core does the
 * rest: the queue, jobs held ahead, replacing a worker after
 * `maxtasksperchild` jobs, after a crash or an abort, the startup-failure guard.
 */
export class WorkerThreadsBackend extends defineAdapter({
  name: 'worker-threads',
  package: '@parapool/worker-threads',
  optionsKey: 'workerThreads',
  owns: {},
  // A thread takes its next jobs at once and runs them in turn (the worker entry's runJob): jobs ahead.
  capabilities: { jobsAhead: true },
  resourceLimits: (options: WorkerThreadsOptions) => options.resourceLimits,
  spawn: (options: WorkerThreadsOptions, crashed) =>
    channelWorker(new Worker(WORKER_ENTRY, { execArgv: threadExecArgv(), ...options }), crashed),
}) {}
