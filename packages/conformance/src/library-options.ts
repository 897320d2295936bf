/**
 * The checks of an adapter's own library options (what its users set under
 * `createPool({ <optionsKey>: … })`): they reach every worker, and a worker's
 * heap cap, where the library has one, fails only the call over it.
 */
import { type Pool, type PoolOptions, UnsupportedRuntimeError, WorkerCrashedError } from '@parapool/core';
import { currentRuntime } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';
import { tasks } from './tasks.js';
import { rejectionOf, useTestPools } from './testing.js';

/** How an adapter's library options say two things every worker library offers; see {@link describeLibraryOptions}. */
export interface LibraryOptionsUnderTest<O extends object> {
  /**
   * The library's options giving every worker this environment, for the
   * configuration `base` (a variant's options, or `undefined` for the default).
   */
  readonly env: (env: Record<string, string>, base: O | undefined) => O;
  /** The library's options capping a worker's heap at `megabytes` (thread libraries' `resourceLimits`), if it has any. */
  readonly heapLimit?: (megabytes: number) => O;
}

/**
 * Declares the checks of an adapter's library options, on its default
 * configuration and on each variant.
 */
export function describeLibraryOptions<O extends object>(
  name: string,
  createPool: (options: PoolOptions) => Pool,
  optionsKey: string,
  options: LibraryOptionsUnderTest<O>,
  variants: Readonly<Record<string, O>> = {},
): void {
  const { pool } = useTestPools(createPool, name);
  const withLibrary = (processes: number, libraryOptions: O) =>
    pool({ processes, [optionsKey]: libraryOptions } as PoolOptions);
  /** The refusal of these options on this runtime (UnsupportedRuntimeError naming it), if createPool refuses them. */
  const refusalOf = (libraryOptions: O): Error | undefined => {
    try {
      withLibrary(1, libraryOptions);
      return undefined;
    } catch (error) {
      if (!(error instanceof UnsupportedRuntimeError)) throw error;
      expect(error.message).toContain(currentRuntime().label);
      return error;
    }
  };

  describe(`${name}: its library's options`, () => {
    const configurations: [string, O | undefined][] = [['default', undefined], ...Object.entries(variants)];
    for (const [label, base] of configurations) {
      it(`reach every worker (${optionsKey}: the environment; ${label}), or the configuration is refused on this runtime`, async () => {
        const given = options.env({ PARAPOOL_PROBE: 'through' }, base);
        if (refusalOf(given)) return;
        const p = withLibrary(2, given);
        const seen = await p.map((_: number) => process.env.PARAPOOL_PROBE, [1, 2, 3, 4], { chunksize: 1 });
        expect(seen).toEqual(['through', 'through', 'through', 'through']);
      });
    }

    const { heapLimit } = options;
    if (heapLimit) {
      it('a worker over its heap limit fails its call with WorkerCrashedError (out of memory) and the pool keeps serving; a runtime whose threads ignore the limit refuses it', async () => {
        const refusal = refusalOf(heapLimit(16));
        if (refusal) {
          expect(currentRuntime().name).not.toBe('node');
          // Unless the library is refused there whatever its options, the refusal is of the heap limit.
          if (refusalOf({} as O) === undefined) expect(refusal.message).toMatch(/resourceLimits/);
          return;
        }
        const p = withLibrary(1, heapLimit(16));
        const hog = () => {
          const kept: number[][] = [];
          for (;;) kept.push(new Array(100_000).fill(1));
        };
        const error = await rejectionOf(p.apply(hog));
        expect(error).toBeInstanceOf(WorkerCrashedError);
        expect(error.message).toMatch(/memory/);
        expect(await p.apply(tasks.square, [4])).toBe(16);
      });
    }
  });
}
