/**
 * `@parapool/child-process`: Python's `multiprocessing.Pool` and `Process` on
 * raw `child_process.fork`, one OS process per worker.
 *
 * @module @parapool/child-process
 * @group User API
 */
import type { Pool } from '@parapool/core';
import { type AdapterPoolOptions, type ChildProcessOptions, poolFactory } from '@parapool/core/adapter';
import { ChildProcessBackend } from './backend.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
// Python's Process (one OS process running one task), core's, on the same fork as this pool's workers.
export { type ChildProcessOptions, Process, type ProcessOptions } from '@parapool/core/process';
export { ChildProcessBackend } from './backend.js';

/** Pool options, plus `childProcess`: how worker processes are started (passed to `child_process.fork`). */
export type ChildProcessPoolOptions = AdapterPoolOptions<'childProcess', ChildProcessOptions>;

/**
 * A pool of forked Node.js processes.
 *
 * Python's `Pool(processes)`: the options are the core's {@link PoolOptions} (`processes`,
 * `initializer`, `maxtasksperchild`, …) plus this library's own (see {@link ChildProcessPoolOptions}); the
 * returned {@link Pool} has Python's methods (`map`, `starmap`, `apply`, their `*Async` forms,
 * `imap`, …), and `await using` closes and joins it at the end of the scope.
 *
 * @function
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/child-process';
 * import { tasks } from './tasks.js';
 *
 * await using pool = createPool({ processes: 4 });
 * await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
 * ```
 */
export const createPool: (options?: ChildProcessPoolOptions) => Pool = poolFactory(ChildProcessBackend);
