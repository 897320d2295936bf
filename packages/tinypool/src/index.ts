/**
 * parapool on tinypool: Python's `multiprocessing.Pool` over tinypool worker threads
 * (or worker processes, with `tinypool: { runtime: 'child_process' }`).
 *
 * @module @parapool/tinypool
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { TinypoolBackend, type TinypoolOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { TinypoolBackend, type TinypoolOptions } from './backend.js';

/** Options of `createPool`: the pool's, plus under `tinypool` tinypool's own for every worker (`runtime`, `resourceLimits`, `env`, `execArgv`...). */
export type TinypoolPoolOptions = AdapterPoolOptions<'tinypool', TinypoolOptions>;

/**
 * A pool of `processes` tinypool workers (threads, or processes with `runtime: 'child_process'`).
 *
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link TinypoolPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/tinypool';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4, tinypool: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 * ```
 */
export const createPool: (options?: TinypoolPoolOptions) => Pool = poolFactory(TinypoolBackend);
