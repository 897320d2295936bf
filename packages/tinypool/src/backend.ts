import { CloneError } from '@parapool/core';
import {
  containsSharedMemory,
  defineAdapter,
  type Job,
  type JobResult,
  owned,
  threadExecArgv,
  watchWorker,
  workerExecArgv,
} from '@parapool/core/adapter';
import { type Options, Tinypool, type TinypoolWorker } from 'tinypool';

/** The tinypool options this adapter sets itself or refuses, and what to do instead. */
const OWNS = {
  filename: owned.workerScript,
  name: owned.workerScript,
  minThreads: owned.poolSize,
  maxThreads: owned.poolSize,
  concurrentTasksPerWorker: owned.concurrency,
  maxQueue: owned.queue,
  isolateWorkers: 'use the pool option `maxtasksperchild: 1`',
  maxMemoryLimitBeforeRecycle:
    'tinypool would replace the worker behind the adapter, which cannot tell that from a crash; use `maxtasksperchild`, or `resourceLimits` to cap a thread',
  teardown: 'the adapter runs its own worker entry, which has no teardown task',
} as const;

/** tinypool's constructor options, minus the ones this adapter sets or refuses. */
export type TinypoolOptions = Omit<Options, keyof typeof OWNS>;

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
export class TinypoolBackend extends defineAdapter({
  name: 'tinypool',
  package: '@parapool/tinypool',
  optionsKey: 'tinypool',
  owns: OWNS,
  // Unless told otherwise, tinypool forks with an environment of its one variable and
  // JSON serialization (undefined, Map, Date, BigInt... do not survive): give the child the usual.
  resolve: (tinypool: TinypoolOptions): Options =>
    tinypool.runtime === 'child_process'
      ? { env: { ...process.env } as Record<string, string>, serialization: 'advanced', ...tinypool }
      : tinypool,
  // tinypool posts a task to its busy thread at once (up to concurrentTasksPerWorker): jobs ahead on every
  // worker thread (not for processes: the core keeps jobs ahead for threads only).
  capabilities: (own) => ({ separateProcesses: own.runtime === 'child_process', jobsAhead: true }),
  resourceLimits: (own) => own.resourceLimits as object | undefined,
  // tinypool's child_process runtime sends a MessagePort over the child's IPC channel, which neither
  // Bun nor Deno can carry (every call fails with a DataCloneError); on Deno its threads never answer.
  refuses: (own, runtime) => {
    if (runtime.name === 'deno')
      return "tinypool's worker threads never answer there, and its runtime: 'child_process' cannot send its jobs over Deno's IPC channel (a MessagePort does not cross it). Use @parapool/piscina for threads, @parapool/child-process for processes.";
    if (runtime.name === 'bun' && own.runtime === 'child_process')
      return "tinypool's runtime: 'child_process' cannot send its jobs over Bun's IPC channel (a MessagePort does not cross it). Use tinypool's worker threads (the default runtime), or @parapool/child-process for a process per worker.";
    return undefined;
  },
  spawn(own, crashed, { jobsAtOnce }) {
    const processes = own.runtime === 'child_process';
    // The worker runtime runs its jobs one at a time; tinypool must not hold any back.
    const pool = new Tinypool({
      execArgv: processes ? workerExecArgv() : threadExecArgv(),
      ...own,
      filename: WORKER,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: jobsAtOnce,
    });
    // A process's 'error' is tinypool's own, without the exit code: its 'exit' says more.
    // process.exit() in a task comes as 'exit' alone; tinypool never notices a thread
    // that exited this way: without the watch, its job would hang.
    const { exited } = watchWorker(pool.threads[0] as TinypoolWorker, crashed, { errors: !processes });
    // tinypool re-emits a worker's error here when it held no job (and throws if nobody listens).
    pool.on('error', () => {});
    const worker = pool.threads[0] as TinypoolWorker & { process?: { pid?: number } };
    return {
      // A worker process's pid: how the core tells it that its running job was cancelled (taskSignal()).
      pid: processes ? worker.process?.pid : undefined,
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
  },
}) {}
