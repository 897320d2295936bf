import { Worker, type WorkerOptions } from 'node:worker_threads';
import { WorkerCrashedError } from '@parapool/core';
import { defineAdapter, type Job, type JobResult, threadExecArgv, watchWorker } from '@parapool/core/adapter';
import { loadThreads, spawnable, transferJob } from './threads-js.js';

/**
 * threads.js options, passed through: `timeout` goes to `spawn()`, the rest to
 * each worker thread, as threads.js's `new Worker(path, options)` does on Node
 * (`resourceLimits`, `env`, `execArgv`, `stdout`, ...).
 */
export interface ThreadsOptions extends Omit<WorkerOptions, 'eval' | 'transferList'> {
  /** Milliseconds to wait for a new worker to call `expose()` (threads.js: 10000, or THREADS_WORKER_INIT_TIMEOUT). */
  timeout?: number;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** A worker that threads.js could not start: why, and what to check. */
function startFailure(cause: unknown): WorkerCrashedError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new WorkerCrashedError({ reason });
  error.message = `A threads.js worker could not start: ${reason}. Check that @parapool/threads is completely built and installed, and that threads.timeout (if set) is long enough.`;
  error.cause = cause;
  return error;
}

/**
 * Runs parapool jobs on worker threads spawned with threads.js, one job per
 * worker at a time. The core's WorkerSlots adds what threads.js lacks: a dead
 * worker fails its job with WorkerCrashedError and is replaced, workers are
 * recycled after `maxtasksperchild` jobs, and an aborted running job stops its
 * worker (threads.js cannot cancel a started call).
 */
export class ThreadsBackend extends defineAdapter({
  name: 'threads',
  package: '@parapool/threads',
  optionsKey: 'threads',
  // A spawned threads.js worker takes calls while it runs another: jobs ahead on every worker.
  capabilities: { jobsAhead: true },
  resourceLimits: (threads: ThreadsOptions) => threads.resourceLimits,
  spawn({ timeout, ...workerOptions }: ThreadsOptions, crashed) {
    let worker: Worker | undefined;
    let held = true;
    // The worker is created once threads.js is loaded, so spawn() listens before its init message can arrive.
    const thread = loadThreads().then(({ spawn }) => {
      worker = new Worker(WORKER_URL, { execArgv: threadExecArgv(), ...workerOptions });
      if (!held) worker.unref();
      watchWorker(worker, crashed);
      return spawn<[Job], JobResult>(spawnable(worker), { timeout });
    });
    thread.catch((cause: unknown) => crashed(startFailure(cause)));
    return {
      ready: thread.then(() => {}),
      // Idle workers do not keep the program alive (a script may end without close()).
      keepAlive: (alive) => {
        held = alive;
        if (alive) worker?.ref();
        else worker?.unref();
      },
      run: (job, transferList) =>
        thread.then((call) => call(transferList.length > 0 ? (transferJob(job, transferList) as Job) : job)),
      // Stopping a worker before spawn() has its init message would leave
      // threads.js's init timer (cleared only on success) holding the process.
      stop: () =>
        thread
          .then(
            () => worker?.terminate(),
            () => worker?.terminate(),
          )
          .then(() => {}),
    };
  },
}) {}
