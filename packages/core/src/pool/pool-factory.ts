import type { AdapterBackendClass } from '../backends/adapter.js';
import { BasePool } from './base-pool.js';
import { checkPoolOptions } from './options.js';
import type { Pool, PoolOptions } from './types.js';

/** The options of an adapter's `createPool`: the pool's, plus the library's under one key. */
export type AdapterPoolOptions<K extends string, O> = PoolOptions & { readonly [key in K]?: O };

/**
 * An adapter's `createPool`: checks the options, takes the library's from
 * under the adapter's key and builds a pool on `Backend`.
 */
export function poolFactory<O extends object, K extends string>(
  Backend: AdapterBackendClass<O, K>,
): (options?: AdapterPoolOptions<K, O>) => Pool {
  return (options = {}) => {
    checkPoolOptions(options);
    const { [Backend.optionsKey]: libraryOptions, ...poolOptions } = options as Record<string, unknown>;
    return new BasePool(poolOptions as PoolOptions, (resolved) => new Backend(resolved, libraryOptions as O));
  };
}
