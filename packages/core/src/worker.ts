/**
 * The worker side of every adapter: `@parapool/core/worker`.
 *
 * An adapter's worker entry is a few lines: receive a job, `await runJob(job)`,
 * send the result back.
 */
import { threadId } from 'node:worker_threads';
import type { Job, JobResult } from './backend.js';
import { setThreadWorker } from './worker-context.js';
import { WorkerRuntime } from './worker-runtime.js';

export type { ItemFailure, Job, JobResult, TaskCall, TaskRef } from './backend.js';
export type { SerializedError } from './error-transport.js';
export { currentWorker, type WorkerInfo } from './worker-context.js';
export { WorkerRuntime } from './worker-runtime.js';

let runtime: WorkerRuntime | undefined;

/** This thread's worker runtime (one per worker thread or process). */
export function threadRuntime(): WorkerRuntime {
  if (!runtime) {
    runtime = new WorkerRuntime({ idPrefix: 'worker' });
    (runtime.info as { threadId: number }).threadId = threadId;
    setThreadWorker(runtime.info);
  }
  return runtime;
}

/**
 * Runs one job in this worker: resolves the task (importing its module, or
 * compiling inline source once), runs the initializer before the first job,
 * runs the items (async items of one chunk concurrently) and returns per-item
 * outcomes with errors serialized. Never rejects.
 */
export function runJob(job: Job): Promise<JobResult> | JobResult {
  return threadRuntime().runJob(job);
}
