/**
 * parapool on threads.js: Python's `multiprocessing.Pool` over worker threads
 * spawned with threads.js (npm `threads`).
 *
 * @module @parapool/threads
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { ThreadsBackend, type ThreadsOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { ThreadsBackend, type ThreadsOptions } from './backend.js';

/** Options of `createPool`: the pool's, plus under `threads` what goes to threads.js (`timeout` to `spawn()`, the rest to each worker thread). */
export type ThreadsPoolOptions = AdapterPoolOptions<'threads', ThreadsOptions>;

/**
 * A pool whose workers are threads.js worker threads.
 *
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link ThreadsPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/threads';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4, threads: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 * ```
 */
export const createPool: (options?: ThreadsPoolOptions) => Pool = poolFactory(ThreadsBackend);
