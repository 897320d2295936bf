/**
 * Everything the project checks of every adapter, declared by one call: the
 * conformance suite on each configuration of its library, the core's packed
 * buffers, its exports and, for a library loaded lazily, that a task module
 * does not load it in a worker.
 */
import type { Pool, PoolOptions } from '@parapool/core';
import type { AdapterBackendClass } from '@parapool/core/adapter';
import { describe } from 'vitest';
import { describeAdapterExports } from './adapter-exports.js';
import { describeLazyLibrary } from './lazy-library.js';
import { describeLibraryOptions, type LibraryOptionsUnderTest } from './library-options.js';
import { describePackedTransfer } from './packed-transfer.js';
import { describeConformance } from './suite.js';

/** An adapter under test, as {@link describeAdapter} takes it. */
export interface AdapterUnderTest<O extends object> {
  /** What `pool.backend` reports: `'piscina'`. */
  readonly name: string;
  /** The adapter's npm name: `'@parapool/piscina'`. */
  readonly package: string;
  /** The adapter's built module (`import * as adapter from '../dist/index.js'`): its `createPool` and all it exports. */
  readonly module: {
    /** The adapter's createPool. */
    readonly createPool: (options?: never) => Pool;
  };
  /** Its Backend class (made by `defineAdapter`). */
  readonly Backend: AdapterBackendClass<O, string>;
  /**
   * Other configurations of its library to run the whole suite on too, by label:
   * `{ "workerType: 'cluster'": { workerType: 'cluster' } }` (its workers as processes, say).
   */
  readonly variants?: Readonly<Record<string, O>>;
  /** For a library loaded through `lazyLibrary`: its npm name, and a fragment of its file paths in `require.cache`. */
  readonly lazyLibrary?: {
    /** The library's npm name. */
    readonly library: string;
    /** A fragment of its files' paths, looked for in `require.cache`. */
    readonly loadedPath: string;
  };
  /** How its library's options set a worker's environment and heap cap, to check they reach every worker. */
  readonly libraryOptions?: LibraryOptionsUnderTest<O>;
}

/**
 * Declares every shared check of one adapter.
 *
 * @example
 * ```ts
 * // test/adapter.test.ts
 * import { describeAdapter } from '@parapool/conformance';
 * import * as adapter from '../dist/index.js';
 *
 * describeAdapter({ name: 'piscina', package: '@parapool/piscina', module: adapter, Backend: adapter.PiscinaBackend });
 * ```
 */
export function describeAdapter<O extends object>(adapter: AdapterUnderTest<O>): void {
  const { name, Backend } = adapter;
  const createPool = adapter.module.createPool as unknown as (options: PoolOptions) => Pool;
  describeConformance(name, (options) => createPool(options));
  describePackedTransfer(name, (options) => new Backend(options));
  for (const [label, libraryOptions] of Object.entries(adapter.variants ?? {})) {
    describe(label, () => {
      describeConformance(name, (options) =>
        createPool({ ...options, [Backend.optionsKey]: libraryOptions } as PoolOptions),
      );
      describePackedTransfer(`${name} (${label})`, (options) => new Backend(options, libraryOptions));
    });
  }
  if (adapter.libraryOptions)
    describeLibraryOptions(name, createPool, Backend.optionsKey, adapter.libraryOptions, adapter.variants);
  describeAdapterExports(adapter.package, adapter.module);
  if (adapter.lazyLibrary)
    describeLazyLibrary(adapter.package, adapter.lazyLibrary.library, adapter.lazyLibrary.loadedPath);
}
