import { ensureCloneable } from '../wire/cloneable.js';
import { isDataCloneError, toCloneError } from '../wire/error-transport.js';
import type { Job, JobResult } from '../wire/job.js';
import { resultTransferList } from '../wire/transfer.js';
import { WorkerRuntime } from '../worker/runtime.js';
import { timedRun } from '../worker/thread.js';
import type { BackendOptions } from './backend.js';
import { SlotBackend } from './slot-backend.js';
import type { SlotWorker } from './worker-slots.js';

/** A copy of the job's arguments, as a worker boundary would make it (moving the buffers in `transfer`). */
function copyArguments(job: Job, transfer: readonly ArrayBuffer[]): Job {
  try {
    const { items, columns } = structuredClone(
      { items: job.items, columns: job.columns },
      transfer.length > 0 ? { transfer: transfer as ArrayBuffer[] } : undefined,
    );
    return columns ? { ...job, items, columns } : { ...job, items };
  } catch (error) {
    throw isDataCloneError(error) ? toCloneError(error, 'argument') : error;
  }
}

/** A copy of the result; an item whose value cannot be cloned fails alone, with a CloneError. */
function copyResult(result: JobResult): JobResult {
  try {
    const transfer = resultTransferList(result);
    return structuredClone(result, transfer.length > 0 ? { transfer: transfer as ArrayBuffer[] } : undefined);
  } catch {
    return structuredClone(ensureCloneable(result));
  }
}

/** One virtual worker: a worker runtime of its own in the calling thread. */
function inlineWorker(): SlotWorker {
  const runtime = new WorkerRuntime({ idPrefix: 'inline', contextual: true });
  return {
    run: async (job, transfer) => copyResult(await timedRun(runtime, copyArguments(job, transfer))),
    // A task in this thread cannot be stopped: a stopped worker's task is
    // abandoned (it may go on in the background; its result is dropped) and a
    // fresh worker takes the slot.
    stop: () => Promise.resolve(),
  };
}

/**
 * Runs jobs in the calling thread (Python's `multiprocessing.dummy`), on the
 * same path as every other backend: `processes` virtual workers (each with its
 * own initializer state and id), arguments and results structured-cloned as
 * they would be across a worker boundary, workers replaced after
 * `maxtasksperchild`.
 *
 * Synchronous tasks block the caller's event loop while they run; async tasks
 * interleave. Useful for debugging, tests, and I/O-bound async work.
 */
export class InlineBackend extends SlotBackend {
  /** Always `'inline'`. */
  readonly name = 'inline';

  constructor(options: BackendOptions) {
    super(options, () => inlineWorker(), {
      stopsRunningJobs: false,
      isolatesCrashes: false,
      inProcess: true,
      separateProcesses: false,
      observesWorkers: true,
      // Moved as across a thread boundary: a marked argument is detached on the caller's side here too.
      transfers: true,
      jobsAhead: false,
      // A job's clock is shared memory of this very thread: its tasks' signals hear a cancellation.
      signalsTasks: true,
    });
  }
}
