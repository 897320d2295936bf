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
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link WorkerThreadsPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/worker-threads';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export const createPool: (options?: WorkerThreadsPoolOptions) => Pool = poolFactory(WorkerThreadsBackend);
