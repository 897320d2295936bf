/**
 * The worker side of every adapter: `@parapool/core/worker`. Re-exports only.
 *
 * An adapter's worker entry is a few lines: receive a job, `await runJob(job)`,
 * send the result back.
 *
 * @module @parapool/core/worker
 * @group For adapter authors
 */

import { isMainThread } from 'node:worker_threads';
import { listenForCancel } from './wire/deadlines.js';

// A worker process hears its caller cancel the job it runs (taskSignal()) from the moment its entry
// is loaded, before its first job: the caller may tell it as soon as that job is sent.
if (isMainThread && typeof process.send === 'function') listenForCancel();

export type { CloneCheckOptions } from './wire/cloneable.js';
export { ensureCloneable } from './wire/cloneable.js';
export { taskSignal } from './wire/deadlines.js';
export type { SerializedError } from './wire/error-transport.js';
export type { ItemFailure, Job, JobResult, TaskCall, TaskRef } from './wire/job.js';
export { jobLength } from './wire/packing.js';
export { type TransferableValue, transfer } from './wire/transfer.js';
export { serveChannel } from './worker/channel.js';
export { currentWorker, type WorkerInfo } from './worker/context.js';
export { WorkerRuntime } from './worker/runtime.js';
export { answerJob, type JobAnswer, resultTransfers, runJob, threadRuntime } from './worker/thread.js';
