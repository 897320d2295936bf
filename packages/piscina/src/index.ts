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
 * @example
 * const pool = createPool({ processes: 4, piscina: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 *
 * @function
 */
export const createPool: (options?: PiscinaPoolOptions) => Pool = poolFactory(PiscinaBackend);
