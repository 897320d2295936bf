import { isMainThread, threadId } from 'node:worker_threads';
import { GATE } from '../wire/gate.js';
import type { Job, JobResult, JobRun } from '../wire/job.js';
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
    if (isMainThread) watchParent(); // a worker process: it must not outlive its parent, even stuck in a task
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
  if (job.gate === undefined) return timedRun(threadRuntime(), job);
  // A worker that holds a job ahead runs its jobs one at a time, in order, each only if the caller has not dropped it.
  if (job.gateCells) gateCells = job.gateCells;
  const cell = job.gate;
  const start = (): Promise<JobResult> | JobResult => {
    if (!claim(cell)) return SKIPPED;
    const result = timedRun(threadRuntime(), job);
    return result instanceof Promise ? result.then((r) => ended(cell, r)) : ended(cell, result);
  };
  const result = running ? running.then(start) : start();
  if (result instanceof Promise) {
    running = result;
    void result.then(() => {
      if (running === result) running = undefined;
    });
  }
  return result;
}

/** This worker's gate cells (from the first job that carried them). */
let gateCells: Int32Array | undefined;
/** The job this thread runs while it is asynchronous: a job ahead starts after it. */
let running: Promise<JobResult> | undefined;

const SKIPPED: JobResult = Object.freeze({ values: [], skipped: true });

/** Flips the job's gate cell from waiting to started: false if the caller dropped the job first. */
function claim(cell: number): boolean {
  if (!gateCells) return true;
  return Atomics.compareExchange(gateCells, cell, GATE.waiting, GATE.started) === GATE.waiting;
}

/** Marks the job's gate cell ended: its outcome is ready, and goes back with `result`. */
function ended(cell: number, result: JobResult): JobResult {
  if (gateCells) Atomics.store(gateCells, cell, GATE.ended);
  return result;
}

/** Runs a job on `runtime` and says how long it took and who ran it (`result.ran`, for insights). */
export function timedRun(runtime: WorkerRuntime, job: Job): Promise<JobResult> | JobResult {
  const start = performance.now();
  const result = runtime.runJob(job);
  const { id, pid, threadId } = runtime.info;
  const stamp = (r: JobResult): JobResult => {
    (r as { ran?: JobRun }).ran = { ms: performance.now() - start, worker: { id, pid, threadId } };
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
