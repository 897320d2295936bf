/**
 * `@parapool/worker-threads`: Python's `multiprocessing.Pool` for Node.js, on bare `node:worker_threads`.
 *
 * @module @parapool/worker-threads
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { WorkerThreadsBackend, type WorkerThreadsOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { WorkerThreadsBackend, type WorkerThreadsOptions } from './backend.js';

/** Pool options, plus `workerThreads`: options passed to every `new Worker()`. */
export type WorkerThreadsPoolOptions = AdapterPoolOptions<'workerThreads', WorkerThreadsOptions>;

/**
 * A pool on bare `node:worker_threads`.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 *
 * @function
 */
export const createPool: (options?: WorkerThreadsPoolOptions) => Pool = poolFactory(WorkerThreadsBackend);
