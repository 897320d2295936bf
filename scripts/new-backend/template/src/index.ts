/**
 * `@parapool/__name__`: Python's `multiprocessing.Pool` for Node.js, on __name__.
 */
import { BasePool, type Pool, type PoolOptions } from '@parapool/core';
import { __Pascal__Backend, type __Pascal__Options } from './backend.js';

export { __Pascal__Backend, type __Pascal__Options } from './backend.js';

/** Pool options, plus options passed through to __name__. */
export interface __Pascal__PoolOptions extends PoolOptions {
  /** Passed through to __name__ for every worker. */
  readonly __camel__?: __Pascal__Options;
}

/**
 * A pool on __name__.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export function createPool(options: __Pascal__PoolOptions = {}): Pool {
  return new BasePool(options, (resolved) => new __Pascal__Backend(resolved, options.__camel__));
}
