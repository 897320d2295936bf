/**
 * The limit column's workers: bare `node:worker_threads` and bare
 * `child_process.fork`, as fast as the machine allows. What parapool's
 * backends are measured against.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Channel } from './channel.js';

const workerFile = new URL('./worker.js', import.meta.url);
const forkFile = new URL('./fork-echo.js', import.meta.url);

/** Bare workers of one kind, started in parallel. */
export interface LimitWorkers {
  readonly channels: readonly Channel[];
  /** Stops every worker and resolves when they are gone. */
  stop(): Promise<void>;
}

/** Starts `size` worker threads at once; calls queue until they are up. */
export function launchThreads(size: number): LimitWorkers {
  const workers = Array.from({ length: size }, () => new Worker(workerFile));
  return {
    channels: workers.map(
      (worker) => new Channel(worker, (message, transfer) => worker.postMessage(message, transfer)),
    ),
    async stop() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** Starts `size` worker threads and waits until each runs. */
export async function startThreads(size: number): Promise<LimitWorkers> {
  const workers = launchThreads(size);
  await Promise.all(workers.channels.map((channel) => channel.call(0)));
  return workers;
}

/** Forks `size` children at once (advanced serialization, as the child-process backend); calls queue until they are up. */
export function launchForks(size: number): LimitWorkers {
  const children: ChildProcess[] = Array.from({ length: size }, () =>
    fork(forkFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  return {
    channels: children.map((child) => new Channel(child, (message) => child.send(message as number))),
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill();
          await exited;
        }),
      );
    },
  };
}

/** Forks `size` children and waits until each answers. */
export async function startForks(size: number): Promise<LimitWorkers> {
  const forks = launchForks(size);
  await Promise.all(forks.channels.map((channel) => channel.call(0)));
  return forks;
}
