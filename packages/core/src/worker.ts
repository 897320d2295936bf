/**
 * The worker side of every adapter: `@parapool/core/worker`.
 *
 * An adapter's worker entry is a few lines: receive a job, `await runJob(job)`,
 * send the result back.
 */
import { threadId } from 'node:worker_threads';
import type { Job, JobResult } from './backend.js';
import { serializeError, toCloneError } from './error-transport.js';
import { setThreadWorker } from './worker-context.js';
import { WorkerRuntime } from './worker-runtime.js';

export type { ItemFailure, Job, JobResult, TaskCall, TaskRef } from './backend.js';
export type { SerializedError } from './error-transport.js';
export { jobLength } from './numeric-packing.js';
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

const isPrimitive = (value: unknown) =>
  value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');

/**
 * Makes sure a job's result can be structured-cloned, for transports that would
 * otherwise fail where the caller cannot see it (a library posting the value
 * itself): items whose value cannot be cloned become CloneError failures.
 * Results made only of primitives are returned as they are, at no cost.
 */
export function ensureCloneable(result: JobResult): JobResult {
  const { values } = result;
  if (values.every(isPrimitive)) return result;
  try {
    structuredClone(values);
    return result;
  } catch {
    const failures = [...(result.failures ?? [])];
    const safe = values.slice();
    for (let i = 0; i < values.length; i++) {
      try {
        structuredClone(values[i]);
      } catch (error) {
        safe[i] = undefined;
        failures.push({ index: i, error: serializeError(toCloneError(error, 'result')) });
      }
    }
    failures.sort((a, b) => a.index - b.index);
    return { values: safe, failures };
  }
}
