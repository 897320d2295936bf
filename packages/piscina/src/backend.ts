import type { Worker } from 'node:worker_threads';
import {
  currentRuntime,
  defineAdapter,
  type JobResult,
  lazyLibrary,
  owned,
  threadExecArgv,
  watchWorker,
} from '@parapool/core/adapter';
import type { Piscina } from 'piscina';

/** piscina, loaded when the first worker starts (a task module importing this package in a worker does not load it). */
const piscinaLibrary = lazyLibrary<typeof import('piscina')>(import.meta.url, 'piscina');

/** The piscina options this adapter sets itself, and what to do instead. */
const OWNS = {
  filename: owned.workerScript,
  name: owned.workerScript,
  minThreads: owned.poolSize,
  maxThreads: owned.poolSize,
  concurrentTasksPerWorker: owned.concurrency,
  maxQueue: owned.queue,
} as const;

/** piscina's constructor options, minus the ones this adapter sets. */
export type PiscinaOptions = Omit<NonNullable<ConstructorParameters<typeof Piscina>[0]>, keyof typeof OWNS>;

const WORKER = new URL('./worker-entry.cjs', import.meta.url).href;

/**
 * piscina's default for `atomics` on this runtime. Deno loses a message now and then when a
 * port has a 'message' listener and is also read with `receiveMessageOnPort`, which is what
 * piscina's default `atomics: 'sync'` does on an idle thread: a job sent ahead never reaches the
 * worker, and its call waits for ever (seen: 6 maps in 160 with a worker recycled every 5 jobs;
 * none in 160 with 'disabled'). A user's own `atomics` wins.
 */
const ATOMICS: PiscinaOptions['atomics'] = currentRuntime().name === 'deno' ? 'disabled' : undefined;

/**
 * The parapool Backend over piscina. Each worker is a one-thread piscina, so
 * the adapter knows which thread runs which job: it retires that piscina (and
 * starts a fresh one) after `maxtasksperchild` jobs, when its thread dies, or
 * when its running job is aborted.
 */
export class PiscinaBackend extends defineAdapter({
  name: 'piscina',
  package: '@parapool/piscina',
  optionsKey: 'piscina',
  owns: OWNS,
  // piscina posts a task to its busy thread at once (up to concurrentTasksPerWorker): jobs ahead on every worker.
  capabilities: { jobsAhead: true },
  resourceLimits: (piscina: PiscinaOptions) => piscina.resourceLimits,
  spawn(piscina: PiscinaOptions, crashed, { jobsAtOnce }) {
    const pool = new (piscinaLibrary().Piscina)({
      execArgv: threadExecArgv(),
      ...(ATOMICS ? { atomics: ATOMICS } : {}),
      ...piscina,
      filename: WORKER,
      minThreads: 1,
      maxThreads: 1,
      // The worker runtime runs them one at a time; piscina must not hold any back.
      concurrentTasksPerWorker: jobsAtOnce,
    });
    const { online, exited } = watchWorker(pool.threads[0] as Worker, crashed);
    // piscina re-emits a thread's error here when it held no job (and throws if nobody listens).
    pool.on('error', () => {});
    return {
      ready: online,
      run: (job, transferList) => pool.run(job, { transferList: transferList as ArrayBuffer[] }) as Promise<JobResult>,
      stop: () => pool.destroy().then(() => exited),
    };
  },
}) {}
