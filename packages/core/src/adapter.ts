/**
 * The SPI of parapool: `@parapool/core/adapter`, what an adapter author needs
 * and a user never does. An adapter declares how to start one worker with its
 * library (`defineAdapter`), makes its `createPool` (`poolFactory`), and gives
 * its worker entry a few lines over the worker runtime (`runJob`, or the
 * channel worker for workers reached by `postMessage`/IPC). The core does the
 * rest: queueing, chunking, jobs ahead, recycling, crash replacement, abort.
 *
 * Re-exports only. The user's API is `@parapool/core`.
 *
 * @module @parapool/core/adapter
 * @group For adapter authors
 */

export {
  AdapterBackend,
  type AdapterBackendClass,
  type AdapterDefinition,
  type Crashed,
  defineAdapter,
  lazyLibrary,
  owned,
  refuseOwnedOptions,
  type WatchedWorker,
  type WorkerEvents,
  watchWorker,
} from './backends/adapter.js';
export type { Backend, BackendCapabilities, BackendFactory, BackendOptions, JobControl } from './backends/backend.js';
export { type ChannelTarget, channelWorker } from './backends/channel-worker.js';
export { InlineBackend } from './backends/inline.js';
export { type Control, jobControl } from './backends/job-control.js';
export { SlotBackend } from './backends/slot-backend.js';
export { threadExecArgv, workerExecArgv, workerProcessEnv } from './backends/worker-flags.js';
export type { WorkerListener } from './backends/worker-log.js';
export type { SlotWorker, SpawnWorker, WorkerSlotsOptions, WorkerTerms } from './backends/worker-slots.js';
export { crashError, WorkerSlots } from './backends/worker-slots.js';
export { BasePool } from './pool/base-pool.js';
export { checkPoolOptions } from './pool/options.js';
export { type AdapterPoolOptions, poolFactory } from './pool/pool-factory.js';
export { type ChildProcessOptions, checkChildProcessOptions, forkWorker } from './process/fork.js';
export { currentRuntime, type RuntimeInfo } from './runtime.js';
export { settlesWithin } from './settles-within.js';
export { taskLabel, toTaskRef } from './tasks.js';
export { isReply, type JobMessage, JobWriter, type ReplyMessage, type WorkerMessage } from './wire/channel.js';
export { carryEndedItems, endedItemsCarried, itemsEndedBeforeCrash } from './wire/ended-items.js';
export type { SerializedError } from './wire/error-transport.js';
export { deserializeError, isDataCloneError, serializeError, toCloneError } from './wire/error-transport.js';
export { withItemRecord } from './wire/item-record.js';
export type { EndedItem, ItemFailure, Job, JobResult, PackedTuples, TaskCall, TaskRef } from './wire/job.js';
export { type Codec, decodeResult, type EncodedJob, encodeJob } from './wire/job-codec.js';
export { JOBS_AHEAD } from './wire/jobs-ahead.js';
export { isPackedTuples, jobLength, unpackJob, unpackTuples } from './wire/packing.js';
export { processChannelRefusal } from './wire/process-channel.js';
export { containsSharedMemory } from './wire/shared-memory.js';
export { jobTransferList, resultTransferList } from './wire/transfer.js';
// The worker side (also `@parapool/core/worker`, the lean entry a worker thread loads).
export * from './worker.js';
