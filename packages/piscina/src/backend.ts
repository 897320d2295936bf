import type { Worker } from 'node:worker_threads';
import {
  type BackendOptions,
  crashError,
  type JobResult,
  refuseOwnedOptions,
  SlotBackend,
  type SlotWorker,
  WorkerCrashedError,
} from '@parapool/core';
import { Piscina } from 'piscina';

/** The piscina options this adapter sets itself, and what to do instead. */
const OWNED = {
  filename: 'the adapter runs its own worker entry; name tasks with defineTasks',
  name: 'the adapter runs its own worker entry; name tasks with defineTasks',
  minThreads: "use the pool's `processes` option",
  maxThreads: "use the pool's `processes` option",
  concurrentTasksPerWorker: "each worker runs one job at a time (a chunk's async items already run concurrently)",
  maxQueue: 'the core queues the jobs',
} as const;

/** piscina's constructor options, minus the ones this adapter sets. */
export type PiscinaOptions = Omit<NonNullable<ConstructorParameters<typeof Piscina>[0]>, keyof typeof OWNED>;

const WORKER = new URL('./worker-entry.cjs', import.meta.url).href;

/**
 * The parapool Backend over piscina. Each worker is a one-thread piscina, so
 * the adapter knows which thread runs which job: it retires that piscina (and
 * starts a fresh one) after `maxtasksperchild` jobs, when its thread dies, or
 * when its running job is aborted.
 */
export class PiscinaBackend extends SlotBackend {
  readonly name = 'piscina';

  constructor(options: BackendOptions, piscina: PiscinaOptions = {}) {
    refuseOwnedOptions('@parapool/piscina', 'piscina', piscina, OWNED);
    super(options, (crashed): SlotWorker => {
      const pool = new Piscina({ ...piscina, filename: WORKER, minThreads: 1, maxThreads: 1 });
      const thread = pool.threads[0] as Worker;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      // An uncaught exception or running out of memory comes as 'error' (then 'exit');
      // process.exit() in a task as 'exit' alone, with its code.
      thread.once('error', (error) => crashed(crashError(error)));
      thread.once('exit', (exitCode) => crashed(new WorkerCrashedError({ exitCode })));
      // piscina re-emits a thread's error here when it held no job (and throws if nobody listens).
      pool.on('error', () => {});
      return {
        ready: new Promise<void>((resolve) => thread.once('online', () => resolve())),
        run: (job, transferList) =>
          pool.run(job, { transferList: transferList as ArrayBuffer[] }) as Promise<JobResult>,
        stop: () => pool.destroy().then(() => exited),
      };
    });
  }
}
