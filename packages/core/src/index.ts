/**
 * parapool: Python's `multiprocessing.Pool` for Node.js — the user's API.
 *
 * `@parapool/core` holds what a program that uses a pool needs: task handles,
 * the errors, the types, `cpuCount`, `transfer`, `currentWorker`, `taskSignal`,
 * `formatInsights`, and `createPool` on the `inline` backend. Install an
 * adapter (`@parapool/piscina`, ...) for real parallelism: it re-exports all of
 * this with its own `createPool`. Adapter authors use `@parapool/core/adapter`.
 *
 * @module @parapool/core
 * @group User API
 */
import { InlineBackend } from './backends/inline.js';
import { BasePool } from './pool/base-pool.js';
import type { Pool, PoolOptions } from './pool/types.js';

export type { BackendCapabilities } from './backends/backend.js';
export type { RecycleCause, WorkerEndReason, WorkerEvent, WorkerInsight, WorkerRef } from './backends/worker-log.js';
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
  TaskTimeoutError,
  TimeoutError,
  UnsupportedRuntimeError,
  WorkerCrashedError,
  WorkerStartupError,
} from './errors.js';
export type { AsyncOptions, AsyncResult } from './pool/async-result.js';
export type { Durations, PoolInsights, SlowTask } from './pool/insights.js';
export { formatInsights } from './pool/insights.js';
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
} from './pool/types.js';
export type { DefineTasksOptions, TaskFunction, TaskHandle, TaskHandles } from './tasks.js';
export { defineTasks, isTaskHandle } from './tasks.js';
export type { RegisteredClass } from './wire/class-registry.js';
export { taskSignal } from './wire/deadlines.js';
export { type TransferableValue, transfer } from './wire/transfer.js';
export type { WorkerInfo } from './worker/context.js';
export { currentWorker } from './worker/context.js';

/**
 * A pool on the `inline` backend: jobs run in the calling thread with the
 * semantics of a real pool (Python's `multiprocessing.dummy.Pool`).
 * For parallel work, use an adapter's `createPool` instead.
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/core';
 *
 * await using pool = createPool(); // Python's multiprocessing.dummy.Pool
 * const squares = await pool.map((n: number) => n * n, [1, 2, 3]);
 * ```
 */
export function createPool(options: PoolOptions = {}): Pool {
  return new BasePool(options, (resolved) => new InlineBackend(resolved));
}
