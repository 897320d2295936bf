/**
 * The conformance suite every parapool backend passes: one call per backend.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts
 * import { describeConformance } from '@parapool/conformance';
 * import { createPool } from '../dist/index.js';
 * describeConformance('piscina', (options) => createPool(options));
 * ```
 *
 * What a backend cannot do is read from `pool.capabilities` (declared on the
 * backend); nothing else turns a test off.
 */
import { describe } from 'vitest';
import { createContext, type PoolFactory } from './context.js';
import { abortFeature } from './features/abort.js';
import { asyncResultFeature } from './features/async-result.js';
import { cancellationFeature } from './features/cancellation.js';
import { errorsFeature } from './features/errors.js';
import { imapFeature } from './features/imap.js';
import { insightsFeature } from './features/insights.js';
import { lifecycleFeature } from './features/lifecycle.js';
import { mapFeature } from './features/map.js';
import { transferFeature } from './features/transfer.js';
import { registeredClassCallsFeature, valuesFeature } from './features/values.js';
import { workersFeature } from './features/workers.js';

export { describeAdapterExports } from './adapter-exports.js';
export type { PoolFactory, SuiteContext } from './context.js';
export { describeLazyLibrary } from './lazy-library.js';
export { describeOrphans } from './orphans.js';
export { describePackedTransfer } from './packed-transfer.js';
export { tasks } from './tasks.js';
export { fullSize, rejectionOf, seededRandom, until, useTestPools } from './testing.js';

/** Every feature of the contract, in the order the suite runs them. */
export const features = {
  map: mapFeature,
  asyncResult: asyncResultFeature,
  imap: imapFeature,
  errors: errorsFeature,
  values: valuesFeature,
  transfer: transferFeature,
  classCalls: registeredClassCallsFeature,
  abort: abortFeature,
  cancellation: cancellationFeature,
  lifecycle: lifecycleFeature,
  workers: workersFeature,
  insights: insightsFeature,
} as const;

/**
 * Declares the whole conformance suite for one backend.
 *
 * @param name the backend's name (what `pool.backend` reports)
 * @param factory builds a pool of that backend from pool options
 */
export function describeConformance(name: string, factory: PoolFactory): void {
  describe(`${name}: Pool contract`, () => {
    const ctx = createContext(name, factory);
    for (const feature of Object.values(features)) feature(ctx);
  });
}
