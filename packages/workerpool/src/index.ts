/**
 * `@parapool/workerpool`: Python's `multiprocessing.Pool` for Node.js, on workerpool.
 */
import { BasePool, checkPoolOptions, type Pool, type PoolOptions } from '@parapool/core';
import { WorkerpoolBackend, type WorkerpoolOptions } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export { WorkerpoolBackend, type WorkerpoolOptions } from './backend.js';

/** Pool options, plus options passed through to workerpool. */
export interface WorkerpoolPoolOptions extends PoolOptions {
  /** Passed through to workerpool for every worker. */
  readonly workerpool?: WorkerpoolOptions;
}

/**
 * A pool on workerpool.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export function createPool(options: WorkerpoolPoolOptions = {}): Pool {
  checkPoolOptions(options);
  return new BasePool(options, (resolved) => new WorkerpoolBackend(resolved, options.workerpool));
}
