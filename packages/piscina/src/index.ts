/**
 * parapool on piscina: Python's `multiprocessing.Pool` over piscina worker threads.
 *
 * @module @parapool/piscina
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, poolFactory } from '@parapool/core/adapter';
import { PiscinaBackend, type PiscinaOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { PiscinaBackend, type PiscinaOptions } from './backend.js';

/** Options of `createPool`: the pool's, plus under `piscina` piscina's own for every worker (`resourceLimits`, `env`, `execArgv`, `atomics`...). */
export type PiscinaPoolOptions = AdapterPoolOptions<'piscina', PiscinaOptions>;

/**
 * A pool of `processes` piscina worker threads.
 *
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link PiscinaPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/piscina';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4, piscina: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 * ```
 */
export const createPool: (options?: PiscinaPoolOptions) => Pool = poolFactory(PiscinaBackend);
