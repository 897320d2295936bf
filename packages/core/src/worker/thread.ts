import { threadId } from 'node:worker_threads';
import type { Job, JobResult } from '../wire/job.js';
import { setThreadWorker } from './context.js';
import { WorkerRuntime } from './runtime.js';

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
