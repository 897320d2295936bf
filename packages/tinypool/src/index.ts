/**
 * parapool on tinypool: Python's `multiprocessing.Pool` over tinypool worker threads
 * (or worker processes, with `tinypool: { runtime: 'child_process' }`).
 */
import { BasePool, checkPoolOptions, type Pool, type PoolOptions } from '@parapool/core';
import { TinypoolBackend, type TinypoolOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { TinypoolBackend, type TinypoolOptions } from './backend.js';

/** Options of `createPool`: the pool's, plus tinypool's own under `tinypool`. */
export interface TinypoolPoolOptions extends PoolOptions {
  /** Passed to every worker's tinypool (`runtime`, `resourceLimits`, `env`, `execArgv`...). */
  tinypool?: TinypoolOptions;
}

/**
 * A pool of `processes` tinypool workers (threads, or processes with `runtime: 'child_process'`).
 *
 * @example
 * const pool = createPool({ processes: 4, tinypool: { resourceLimits: { maxOldGenerationSizeMb: 256 } } });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 */
export function createPool(options: TinypoolPoolOptions = {}): Pool {
  checkPoolOptions(options);
  const { tinypool, ...poolOptions } = options;
  return new BasePool(poolOptions, (resolved) => new TinypoolBackend(resolved, tinypool));
}
