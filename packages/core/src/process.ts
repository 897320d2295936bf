/**
 * `@parapool/core/process`: Python's `multiprocessing.Process`, one OS process
 * (`child_process.fork`) running one task. Users import it from
 * `@parapool/child-process`, which re-exports it beside its pool.
 *
 * @module @parapool/core/process
 * @group User API
 */

export type { ChildProcessOptions } from './process/fork.js';
export { Process, type ProcessOptions } from './process/process.js';
