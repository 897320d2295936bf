/**
 * What every adapter package exports, checked the same way for each: all of
 * `@parapool/core` (one import is enough) and nothing of the adapter SPI, its
 * own `createPool`, and the core's TypeError for options that are not an object.
 */
import * as core from '@parapool/core';
import * as spi from '@parapool/core/adapter';
import { BasePool, InlineBackend } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';

/** The error `fn` throws; fails the test if it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw, got none');
}

/**
 * Declares the export checks of one adapter package.
 *
 * @example
 * ```ts
 * import { describeAdapterExports } from '@parapool/conformance';
 * import * as adapter from '../dist/index.js';
 * describeAdapterExports('@parapool/piscina', adapter);
 * ```
 */
export function describeAdapterExports(name: string, adapter: { createPool: (options?: never) => unknown }): void {
  describe(`${name} exports`, () => {
    it('re-exports everything of @parapool/core, so one import is enough', () => {
      const exported = adapter as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(core)) {
        if (key === 'createPool') continue;
        expect(exported[key], key).toBe(value);
      }
    });

    it('re-exports nothing of @parapool/core/adapter that users do not need', () => {
      const exported = adapter as unknown as Record<string, unknown>;
      const leaked = Object.keys(spi).filter((key) => !(key in core) && key in exported);
      expect(leaked).toEqual([]);
    });

    it("has its own createPool, not the core's inline one", () => {
      expect(adapter.createPool).not.toBe(core.createPool);
    });
  });

  describe('createPool(options) that are not an object', () => {
    it.each([null, 5, 'processes: 2', true])('createPool(%j) throws the TypeError the core gives', (options) => {
      const coreError = thrownBy(() => new BasePool(options as never, (resolved) => new InlineBackend(resolved)));
      const error = thrownBy(() => adapter.createPool(options as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(coreError.message);
      expect(error.message).toMatch(/^Pool options must be an object, e\.g\. createPool\(\{ processes: 4 \}\)/);
    });
  });
}
