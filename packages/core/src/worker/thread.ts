import { isMainThread, threadId } from 'node:worker_threads';
import { ensureCloneable } from '../wire/cloneable.js';
import { listenForCancel } from '../wire/deadlines.js';
import type { Job, JobResult, JobRun } from '../wire/job.js';
import { runInTurn } from '../wire/jobs-ahead.js';
import { resultTransferList } from '../wire/transfer.js';
import { setThreadWorker } from './context.js';
import { watchParent } from './parent-watch.js';
import { WorkerRuntime } from './runtime.js';

let runtime: WorkerRuntime | undefined;

/** This thread's worker runtime (one per worker thread or process). */
export function threadRuntime(): WorkerRuntime {
  if (!runtime) {
    runtime = new WorkerRuntime({ idPrefix: 'worker' });
    (runtime.info as { threadId: number }).threadId = threadId;
    setThreadWorker(runtime.info);
    if (isMainThread) {
      watchParent(); // a worker process: it must not outlive its parent, even stuck in a task
      listenForCancel(); // and hears when its caller cancels the job it runs (taskSignal())
    }
  }
  return runtime;
}

/**
 * Runs one job in this worker: resolves the task (importing its module, or
 * compiling inline source once), runs the initializer before the first job,
 * runs the items (async items of one chunk concurrently) and returns per-item
 * outcomes with errors serialized. Never rejects.
 */
export function runJob(job: Job, signal?: AbortSignal): Promise<JobResult> | JobResult {
  if (job.gate === undefined) return timedRun(threadRuntime(), job, signal);
  // A worker that holds jobs ahead runs them one at a time, in order, each only if the caller has not dropped it.
  return runInTurn(job as Job & { gate: number }, (next) => timedRun(threadRuntime(), next, signal));
}

/**
 * Runs a job on `runtime` and says how long it took and who ran it (`result.ran`, for insights):
 * the time it spent loading task modules (`result.loadMs`) is start-up, left out of `ran.ms`.
 */
export function timedRun(runtime: WorkerRuntime, job: Job, signal?: AbortSignal): Promise<JobResult> | JobResult {
  const start = performance.now();
  const result = runtime.runJob(job, signal);
  const { id, pid, threadId } = runtime.info;
  const stamp = (r: JobResult): JobResult => {
    const ms = Math.max(0, performance.now() - start - (r.loadMs ?? 0));
    (r as { ran?: JobRun }).ran = { ms, worker: { id, pid, threadId } };
    return r;
  };
  return result instanceof Promise ? result.then(stamp) : stamp(result);
}

const NONE: readonly ArrayBuffer[] = Object.freeze([]);

/**
 * The ArrayBuffers of `result` a worker entry may move back instead of copy
 * (the runtime's packed values, and values a task returned marked with
 * `transfer()`), for the library's own hand-over (piscina's `move`,
 * threads.js's `Transfer`, workerpool's `Transfer`). Empty in a worker process,
 * whose channel cannot move memory.
 *
 * @example
 * ```ts
 * const result = ensureCloneable(await runJob(job));
 * const list = resultTransfers(result);
 * return list.length > 0 ? Transfer(result, list) : result;
 * ```
 */
export function resultTransfers(result: JobResult): readonly ArrayBuffer[] {
  return isMainThread ? NONE : resultTransferList(result);
}

/** A job's answer as a library's worker entry hands it back: the result, and the buffers to move with it. */
export interface JobAnswer {
  /** The job's result, ready to post. */
  readonly result: JobResult;
  /** Empty when nothing is to be moved (always, in a worker process). */
  readonly transfer: readonly ArrayBuffer[];
}

/**
 * What a worker entry over a pool library does with a job: runs it
 * ({@link runJob}), makes sure the library can post the result (values that
 * cannot be cloned become those items' CloneError failures, instead of an error
 * inside the library the caller cannot read), and lists the buffers to move
 * back ({@link resultTransfers}).
 *
 * @example
 * ```ts
 * expose(async (job: Job) => {
 *   const { result, transfer } = await answerJob(job);
 *   return transfer.length > 0 ? Transfer(result, transfer) : result;
 * });
 * ```
 */
export async function answerJob(job: Job): Promise<JobAnswer> {
  const result = ensureCloneable(await runJob(job));
  return { result, transfer: resultTransfers(result) };
}
