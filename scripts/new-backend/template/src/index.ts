/**
 * `@parapool/__name__`: Python's `multiprocessing.Pool` for Node.js, on __name__.
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { __Pascal__Backend, type __Pascal__Options } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { __Pascal__Backend, type __Pascal__Options } from './backend.js';

/** Pool options, plus `__camel__`: options passed through to __name__ for every worker. */
export type __Pascal__PoolOptions = AdapterPoolOptions<'__camel__', __Pascal__Options>;

/**
 * A pool on __name__.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export const createPool: (options?: __Pascal__PoolOptions) => Pool = poolFactory(__Pascal__Backend);
