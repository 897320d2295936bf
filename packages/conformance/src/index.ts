/**
 * The conformance suite every parapool backend passes: one call per backend.
 *
 * @example
 * ```ts
 * // test/adapter.test.ts
 * import { describeAdapter } from '@parapool/conformance';
 * import * as adapter from '../dist/index.js';
 * describeAdapter({ name: 'piscina', package: '@parapool/piscina', module: adapter, Backend: adapter.PiscinaBackend });
 * ```
 *
 * What a backend cannot do is read from `pool.capabilities` (declared on the
 * backend); nothing else turns a test off.
 *
 * @module @parapool/conformance
 * @group For adapter authors
 */
export { describeAdapterExports } from './adapter-exports.js';
export type { PoolFactory, SuiteContext } from './context.js';
export { type AdapterUnderTest, describeAdapter } from './describe-adapter.js';
export { describeLazyLibrary } from './lazy-library.js';
export { describeLibraryOptions, type LibraryOptionsUnderTest } from './library-options.js';
export { describeOrphans, isRunning } from './orphans.js';
export { describePackedTransfer } from './packed-transfer.js';
export { describeConformance, features } from './suite.js';
export { tasks } from './tasks.js';
export { freePort, fullSize, rejectionOf, seededRandom, until, useTestPools } from './testing.js';
