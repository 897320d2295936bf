/**
 * parapool on piscina: Python's `multiprocessing.Pool` over piscina worker threads.
 */
import { BasePool, checkPoolOptions, type Pool, type PoolOptions } from '@parapool/core';
import { PiscinaBackend, type PiscinaOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { PiscinaBackend, type PiscinaOptions } from './backend.js';

/** Options of `createPool`: the pool's, plus piscina's own under `piscina`. */
export interface PiscinaPoolOptions extends PoolOptions {
  /** Passed to every worker's piscina (`resourceLimits`, `env`, `execArgv`, `atomics`...). */
  piscina?: PiscinaOptions;
}

/**
 * A pool of `processes` piscina worker threads.
 *
 * @example
 * const pool = createPool({ processes: 4, piscina: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 */
export function createPool(options: PiscinaPoolOptions = {}): Pool {
  checkPoolOptions(options);
  const { piscina, ...poolOptions } = options;
  return new BasePool(poolOptions, (resolved) => new PiscinaBackend(resolved, piscina));
}
