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
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link WorkerpoolPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/workerpool';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export const createPool: (options?: WorkerpoolPoolOptions) => Pool = poolFactory(WorkerpoolBackend);
