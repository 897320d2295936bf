/**
 * parapool: Python's `multiprocessing.Pool` for Node.js.
 *
 * `@parapool/core` holds the contract, the scheduler, task handles, errors and
 * the `inline` backend. Install an adapter (`@parapool/piscina`, ...) for real
 * parallelism.
 */
import { InlineBackend } from './backends/inline.js';
import { BasePool } from './pool/base-pool.js';
import type { Pool, PoolOptions } from './types.js';

export {
  AdapterBackend,
  type AdapterBackendClass,
  type AdapterDefinition,
  type AdapterPoolOptions,
  type Crashed,
  defineAdapter,
  lazyLibrary,
  owned,
  poolFactory,
  refuseOwnedOptions,
  type WatchedWorker,
  type WorkerEvents,
  watchWorker,
} from './backends/adapter.js';
export type { Backend, BackendCapabilities, BackendFactory, BackendOptions, JobControl } from './backends/backend.js';
export { InlineBackend } from './backends/inline.js';
export { type Control, jobControl } from './backends/job-control.js';
export { SlotBackend } from './backends/slot-backend.js';
export type { WorkerEndReason, WorkerEvent, WorkerInsight, WorkerRef } from './backends/worker-log.js';
export type { SlotWorker, SpawnWorker, WorkerSlotsOptions } from './backends/worker-slots.js';
export { crashError, JOBS_AHEAD, MAX_JOBS_ON_A_WORKER, WorkerSlots } from './backends/worker-slots.js';
export { cpuCount } from './cpu-count.js';
export type { OuterReference } from './errors.js';
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
  UnsupportedRuntimeError,
  WorkerCrashedError,
  WorkerStartupError,
} from './errors.js';
export type { AsyncOptions, AsyncResult } from './pool/async-result.js';
export { BasePool } from './pool/base-pool.js';
export type { Durations, PoolInsights, SlowTask } from './pool/insights.js';
export { formatInsights } from './pool/insights.js';
export { checkPoolOptions } from './pool/options.js';
export { currentRuntime, type RuntimeInfo } from './runtime.js';
export type { DefineTasksOptions, TaskFunction, TaskHandle, TaskHandles } from './tasks.js';
export { defineTasks, isTaskHandle, taskLabel, toTaskRef } from './tasks.js';
export type {
  ApplyArgs,
  CallOptions,
  ImapOptions,
  MapOptions,
  Pool,
  PoolEvents,
  PoolOptions,
  Progress,
  Task,
} from './types.js';
export type { RegisteredClass } from './wire/class-registry.js';
export type { SerializedError } from './wire/error-transport.js';
export { deserializeError, isDataCloneError, serializeError, toCloneError } from './wire/error-transport.js';
export type { ItemFailure, Job, JobResult, TaskCall, TaskRef } from './wire/job.js';
export { decodeResult, encodeJob } from './wire/job-codec.js';
export { jobLength, unpackJob } from './wire/packing.js';
export { containsSharedMemory } from './wire/shared-memory.js';
export { jobTransferList, resultTransferList, type TransferableValue, transfer } from './wire/transfer.js';
export type { WorkerInfo } from './worker/context.js';
export { currentWorker } from './worker/context.js';

/**
 * A pool on the `inline` backend: jobs run in the calling thread with the
 * semantics of a real pool (Python's `multiprocessing.dummy.Pool`).
 * For parallel work, use an adapter's `createPool` instead.
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new BasePool(options, (resolved) => new InlineBackend(resolved));
}
