/**
 * parapool on piscina: Python's `multiprocessing.Pool` over piscina worker threads.
 */
import { BasePool, type Pool, type PoolOptions } from '@parapool/core';
import { PiscinaBackend, type PiscinaOptions } from './backend.js';

export type {
  AsyncResult,
  BackendCapabilities,
  CallOptions,
  MapOptions,
  Pool,
  PoolOptions,
  Progress,
  WorkerInfo,
} from '@parapool/core';
export {
  CloneError,
  InitializerError,
  InlineTaskError,
  NotReadyError,
  ParapoolError,
  PoolStateError,
  PoolTerminatedError,
  TaskResolutionError,
  TimeoutError,
  WorkerCrashedError,
} from '@parapool/core';
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
  const { piscina, ...poolOptions } = options;
  return new BasePool(poolOptions, (resolved) => new PiscinaBackend(resolved, piscina));
}
