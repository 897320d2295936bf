import { fileURLToPath } from 'node:url';
import { WorkerCrashedError } from '@parapool/core';
import {
  type Crashed,
  defineAdapter,
  type Job,
  type JobResult,
  lazyLibrary,
  owned,
  type SlotWorker,
  threadExecArgv,
} from '@parapool/core/adapter';
import type { Pool as WorkerPool, WorkerPoolOptions } from 'workerpool';

/** workerpool, loaded when the first worker starts (a task module importing this package in a worker does not load it). */
const workerpool = lazyLibrary<typeof import('workerpool')>(import.meta.url, 'workerpool');

/** The workerpool options this adapter sets itself, and what to do instead. */
const OWNS = {
  script: owned.workerScript,
  minWorkers: owned.poolSize,
  maxWorkers: owned.poolSize,
  maxQueueSize: owned.queue,
  queueStrategy: owned.queue,
} as const;

/** workerpool's options for every worker (the `workerpool` key of `createPool`), minus the ones this adapter sets. */
export type WorkerpoolOptions = Omit<WorkerPoolOptions, keyof typeof OWNS>;

const WORKER_ENTRY = fileURLToPath(new URL('./worker.js', import.meta.url));

/** workerpool reports a dead worker as a TerminateError whose message holds the exit code and signal. */
function crashOf(error: unknown): WorkerCrashedError {
  const message = error instanceof Error ? error.message : String(error);
  const code = /exitCode: `(-?\d+)`/.exec(message)?.[1];
  const signal = /signalCode: `(SIG\w+)`/.exec(message)?.[1] as NodeJS.Signals | undefined;
  const crash = new WorkerCrashedError({
    exitCode: code === undefined ? null : Number(code),
    signal: signal ?? null,
    reason: message.split('\n')[0],
  });
  crash.cause = error;
  return crash;
}

/** What keeps a program alive: workerpool's Worker thread or ChildProcess (and its IPC channel). */
interface Referable {
  ref(): void;
  unref(): void;
  channel?: { ref?(): void; unref?(): void } | null;
}

/**
 * Lets an idle worker not keep the program alive (a script that forgets
 * close() still exits), as threads and child processes allow. workerpool has no
 * API for it, so this reaches its (private) `workers` list; without one it does nothing.
 */
function keepAlive(pool: WorkerPool, alive: boolean): void {
  const worker = (pool as unknown as { workers?: Array<{ worker?: Referable }> }).workers?.[0]?.worker;
  if (typeof worker?.ref !== 'function' || typeof worker.unref !== 'function') return;
  if (alive) {
    worker.ref();
    worker.channel?.ref?.(); // Bun's IPC channel has neither ref() nor unref()
  } else {
    worker.unref();
    worker.channel?.unref?.();
  }
}

/**
 * One parapool worker is a workerpool pool of exactly one worker: workerpool's
 * own pool cannot say which worker ran a task nor retire one worker, which
 * `maxtasksperchild` and stopping one aborted job need.
 */
function spawnWorker(options: WorkerPoolOptions, crashed: Crashed): SlotWorker {
  const died = (error: unknown): never => {
    crashed(crashOf(error));
    throw error;
  };
  const start = () => {
    const pool = workerpool().pool(WORKER_ENTRY, {
      ...options,
      // workerpool's processes inherit no flags but --max-old-space-size; its threads inherit all of them.
      workerThreadOpts: { execArgv: threadExecArgv(), ...options.workerThreadOpts },
      minWorkers: 1,
      maxWorkers: 1,
    });
    // 'methods' is built into every workerpool worker: its answer says the worker is up.
    const ready = pool.exec('methods', []).then(() => {}, died);
    ready.catch(() => {}); // a failed start is reported through crashed(); whoever awaits ready sees it too
    return { pool, ready };
  };
  let current = start();
  return {
    ready: current.ready,
    // A worker process's pid (its WorkerHandler's child): how the core tells it that its running job
    // was cancelled (taskSignal()). A worker thread's is the caller's own, which the core never signals.
    get pid() {
      const handler = (current.pool as unknown as { workers?: { worker?: { pid?: number } }[] }).workers?.[0];
      return handler?.worker?.pid;
    },
    run: async (job: Job, transfer: readonly ArrayBuffer[]) => {
      // Once the worker is up, workerpool sends at once: an argument that cannot be cloned throws here,
      // not later inside workerpool where nobody could catch it.
      await current.ready;
      let sent: Promise<JobResult>;
      try {
        sent = current.pool.exec(
          'runJob',
          [job],
          transfer.length > 0 ? { transfer: transfer as ArrayBuffer[] } : undefined,
        );
      } catch (error) {
        // workerpool still counts the unsent task as running on its worker: put a fresh worker in its place.
        const broken = current.pool;
        current = start();
        void broken.terminate(true);
        throw error;
      }
      return sent.then((result) => result, died);
    },
    // Forced: an aborted job's worker must stop now, not after its task.
    stop: () => current.pool.terminate(true).then(() => {}),
    keepAlive: (alive) => keepAlive(current.pool, alive),
  };
}

/** Runs each job on one of `size` workerpool workers (threads by default), one job per worker at a time. */
export class WorkerpoolBackend extends defineAdapter({
  name: 'workerpool',
  package: '@parapool/workerpool',
  optionsKey: 'workerpool',
  owns: OWNS,
  resolve: (libraryOptions: WorkerpoolOptions): WorkerPoolOptions => {
    const workerType = libraryOptions.workerType ?? 'thread';
    if (workerType === 'web')
      throw new TypeError("workerpool.workerType 'web' is for browsers: use 'thread' or 'process'");
    // Processes talk JSON by default, which drops functions and mangles Map, Set, Date, BigInt...:
    // structured clone matches what worker threads do.
    const forkOpts =
      workerType === 'process' ? { serialization: 'advanced', ...libraryOptions.forkOpts } : libraryOptions.forkOpts;
    return { ...libraryOptions, workerType, forkOpts };
  },
  // An aborted job's worker is force-terminated and replaced; process.exit() or an uncaught
  // error ends only that worker; 'thread' (and 'auto' on Node) workers share the caller's pid.
  capabilities: (resolved) => ({ separateProcesses: resolved.workerType === 'process' }),
  resourceLimits: (resolved) =>
    resolved.workerType === 'process' ? undefined : resolved.workerThreadOpts?.resourceLimits,
  // In a Bun worker thread, workerpool's worker sees `self` and `postMessage` and takes itself for a
  // browser's web worker: it never answers. Its worker processes never answered either (Bun 1.4).
  refuses: (_resolved, runtime) =>
    runtime.name === 'bun'
      ? "workerpool's workers never answer there (its worker threads take Bun's worker globals for a browser's; its processes hang too), so every call would wait forever. Use @parapool/piscina or @parapool/tinypool for threads, @parapool/child-process for processes."
      : undefined,
  spawn: spawnWorker,
}) {}
