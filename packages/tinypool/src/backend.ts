import {
  type BackendOptions,
  CloneError,
  containsSharedMemory,
  crashError,
  type Job,
  type JobResult,
  refuseOwnedOptions,
  SlotBackend,
  type SlotWorker,
  WorkerCrashedError,
} from '@parapool/core';
import { type Options, Tinypool, type TinypoolWorker } from 'tinypool';

/** The tinypool options this adapter sets itself or refuses, and what to do instead. */
const OWNED = {
  filename: 'the adapter runs its own worker entry; name tasks with defineTasks',
  name: 'the adapter runs its own worker entry; name tasks with defineTasks',
  minThreads: "use the pool's `processes` option",
  maxThreads: "use the pool's `processes` option",
  concurrentTasksPerWorker: "each worker runs one job at a time (a chunk's async items already run concurrently)",
  maxQueue: 'the core queues the jobs',
  isolateWorkers: 'use the pool option `maxtasksperchild: 1`',
  maxMemoryLimitBeforeRecycle:
    'tinypool would replace the worker behind the adapter, which cannot tell that from a crash; use `maxtasksperchild`, or `resourceLimits` to cap a thread',
  teardown: 'the adapter runs its own worker entry, which has no teardown task',
} as const;

/** tinypool's constructor options, minus the ones this adapter sets or refuses. */
export type TinypoolOptions = Omit<Options, keyof typeof OWNED>;

const WORKER = new URL('./worker.js', import.meta.url).href;

/**
 * With `runtime: 'child_process'`, tinypool hands a job to its forwarding port
 * (which accepts shared memory) and the port's listener writes it to the
 * child's IPC channel (which throws, uncaught, and kills the caller): a job
 * with shared memory is refused here, as an argument that cannot be copied.
 */
function refuseSharedMemory(job: Job): CloneError | undefined {
  if (!containsSharedMemory(job)) return undefined;
  return new CloneError(
    "An argument could not be copied between threads/processes: it holds a SharedArrayBuffer, and shared memory does not cross to a worker process (tinypool's runtime: 'child_process'). Pass a copy (an ArrayBuffer or typed array), or use worker threads.",
  );
}

/**
 * The parapool Backend over tinypool. Each worker (a thread, or a process with
 * `runtime: 'child_process'`) is a one-worker tinypool, so the adapter knows
 * which worker runs which job: it retires that tinypool (and starts a fresh
 * one) after `maxtasksperchild` jobs, when its worker dies, or when its running
 * job is aborted.
 */
export class TinypoolBackend extends SlotBackend {
  readonly name = 'tinypool';

  constructor(options: BackendOptions, tinypool: TinypoolOptions = {}) {
    refuseOwnedOptions('@parapool/tinypool', 'tinypool', tinypool, OWNED);
    const processes = tinypool.runtime === 'child_process';
    // Unless told otherwise, tinypool forks with an environment of its one variable and
    // JSON serialization (undefined, Map, Date, BigInt... do not survive): give the child the usual.
    const own: Options = processes
      ? { env: { ...process.env } as Record<string, string>, serialization: 'advanced', ...tinypool }
      : tinypool;
    const spawn = (crashed: (error: WorkerCrashedError) => void): SlotWorker => {
      const pool = new Tinypool({ ...own, filename: WORKER, minThreads: 1, maxThreads: 1 });
      const worker = pool.threads[0] as TinypoolWorker;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // A thread's uncaught exception or running out of memory comes as 'error' (then 'exit').
      // A process's 'error' is tinypool's own, without the exit code: its 'exit' says more.
      if (!processes) worker.once('error', (error: unknown) => crashed(crashError(error)));
      // process.exit() in a task comes as 'exit' alone. tinypool never notices a thread
      // that exited this way: without this, its job would hang.
      worker.once('exit', (exitCode: number | null, signal: NodeJS.Signals | null = null) =>
        crashed(new WorkerCrashedError({ exitCode, signal })),
      );
      // tinypool re-emits a worker's error here when it held no job (and throws if nobody listens).
      pool.on('error', () => {});
      return {
        run: (job, transferList) => {
          const refused = processes ? refuseSharedMemory(job) : undefined;
          return refused
            ? Promise.reject(refused)
            : (pool.run(job, { transferList: transferList as ArrayBuffer[] }) as Promise<JobResult>);
        },
        // tinypool's destroy() waits for an 'exit' that a thread which already exited never
        // emits again: only the worker's own exit is awaited.
        stop: () => {
          pool.destroy().catch(() => {});
          return exited;
        },
      };
    };
    super(options, spawn, { separateProcesses: processes });
  }
}
