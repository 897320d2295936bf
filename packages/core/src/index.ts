/**
 * parapool: Python's `multiprocessing.Pool` for Node.js.
 *
 * `@parapool/core` holds the contract, the scheduler, task handles, errors and
 * the `inline` backend. Install an adapter (`@parapool/piscina`, ...) for real
 * parallelism.
 */
import { InlineBackend } from './inline-backend.js';
import { BasePool } from './pool.js';
import type { Pool, PoolOptions } from './types.js';

export type { AsyncOptions, AsyncResult } from './async-result.js';
export type {
  Backend,
  BackendCapabilities,
  BackendFactory,
  BackendOptions,
  ItemFailure,
  Job,
  JobResult,
  TaskCall,
  TaskRef,
} from './backend.js';
export { cpuCount } from './cpu-count.js';
export type { SerializedError } from './error-transport.js';
export { deserializeError, isDataCloneError, serializeError, toCloneError } from './error-transport.js';
export {
  CloneError,
  InitializerError,
  InlineTaskError,
  NotReadyError,
  ParapoolError,
  PoolStateError,
  PoolTerminatedError,
  TaskResolutionError,
  TimeoutError,
  WorkerCrashedError,
  WorkerStartupError,
} from './errors.js';
export { InlineBackend } from './inline-backend.js';
export { jobLength } from './numeric-packing.js';
export { BasePool } from './pool.js';
export { refuseOwnedOptions, SlotBackend } from './slot-backend.js';
export type { TaskFunction, TaskHandle, TaskHandles } from './tasks.js';
export { defineTasks, isTaskHandle, toTaskRef } from './tasks.js';
export type {
  ApplyArgs,
  CallOptions,
  MapOptions,
  Pool,
  PoolOptions,
  Progress,
  Task,
} from './types.js';
export type { WorkerInfo } from './worker-context.js';
export { currentWorker } from './worker-context.js';
export type { SlotWorker, SpawnWorker, WorkerSlotsOptions } from './worker-slots.js';
export { crashError, WorkerSlots } from './worker-slots.js';

/**
 * A pool on the `inline` backend: jobs run in the calling thread with the
 * semantics of a real pool (Python's `multiprocessing.dummy.Pool`).
 * For parallel work, use an adapter's `createPool` instead.
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new BasePool(options, (resolved) => new InlineBackend(resolved));
}
