/**
 * `@parapool/poolifier`: Python's `multiprocessing.Pool` for Node.js, on poolifier
 * (worker threads, or cluster processes with `poolifier: { workerType: 'cluster' }`).
 *
 * @module @parapool/poolifier
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { PoolifierBackend, type PoolifierOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { PoolifierBackend, type PoolifierOptions } from './backend.js';

/** Pool options, plus `poolifier`: poolifier's pool options for every worker, and `workerType`. */
export type PoolifierPoolOptions = AdapterPoolOptions<'poolifier', PoolifierOptions>;

/**
 * A pool on poolifier's fixed pools.
 *
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link PoolifierPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/poolifier';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4, poolifier: { workerType: 'cluster' } });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export const createPool: (options?: PoolifierPoolOptions) => Pool = poolFactory(PoolifierBackend);
