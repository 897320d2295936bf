/**
 * `@parapool/workerpool`: Python's `multiprocessing.Pool` for Node.js, on workerpool.
 *
 * @module @parapool/workerpool
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { WorkerpoolBackend, type WorkerpoolOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { WorkerpoolBackend, type WorkerpoolOptions } from './backend.js';

/** Pool options, plus `workerpool`: options passed through to workerpool for every worker. */
export type WorkerpoolPoolOptions = AdapterPoolOptions<'workerpool', WorkerpoolOptions>;

/**
 * A pool on workerpool.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 *
 * @function
 */
export const createPool: (options?: WorkerpoolPoolOptions) => Pool = poolFactory(WorkerpoolBackend);
