import { WorkerCrashedError } from '@parapool/core';
import {
  type Crashed,
  defineAdapter,
  type Job,
  type JobResult,
  jobLength,
  processChannelRefusal,
  type SlotWorker,
  serializeError,
  toCloneError,
} from '@parapool/core/adapter';
import { type ChildProcessOptions, checkOptions, forkWorker, type WorkerMessage } from './fork-worker.js';

/** A worker process as the slots see it, plus its pid. */
interface ChildWorker extends SlotWorker {
  readonly pid: number | undefined;
}

/** Forks one worker process. */
function startWorker(options: ChildProcessOptions, crashed: Crashed): ChildWorker {
  const child = forkWorker(options);
  let up = false;
  let nextId = 1;
  let running: { readonly id: number; readonly job: Job; resolve(result: JobResult): void } | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<void>((resolve) => {
    const died = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      resolve();
      crashed(up ? new WorkerCrashedError({ exitCode, signal }) : startFailure(exitCode, signal, error));
    };
    child.once('exit', died);
    // A process that could not be spawned at all emits 'error' and never 'exit'.
    child.on('error', (error) => {
      if (child.pid === undefined) died(null, null, error);
    });
  });
  child.on('message', (message: WorkerMessage) => {
    if ('ready' in message) {
      up = true;
      markReady();
    } else if (running?.id === message.id) {
      const { job, resolve } = running;
      running = undefined;
      resolve('result' in message ? message.result : unsendable(job, message.unsendable));
    }
  });
  const send = (job: Job) =>
    new Promise<JobResult>((resolve, reject) => {
      // Bun's and Deno's channels get a value Node's refuses wrong: refused before it is sent.
      const refused = processChannelRefusal(job);
      if (refused) {
        reject(refused);
        return;
      }
      running = { id: nextId++, job, resolve };
      try {
        child.send({ id: running.id, job });
      } catch (error) {
        // The arguments could not be serialized; the worker never saw the job.
        // ('json' serialization throws a TypeError: still a clone error, not a crash.)
        running = undefined;
        reject(toCloneError(error, 'argument'));
      }
    });
  // Bun's IPC channel has no ref()/unref() (child.ref() and child.unref() cover it there).
  const channel = child.channel as { ref?(): void; unref?(): void } | null | undefined;
  const keepAlive = (alive: boolean) => {
    if (alive) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  };
  return {
    get pid() {
      return child.pid;
    },
    ready,
    keepAlive,
    run: (job) => (up ? send(job) : ready.then(() => send(job))),
    stop: () => {
      keepAlive(true); // until it has exited
      // A busy or starting worker is killed; an idle one exits when its IPC channel closes.
      if (running || !up || !child.connected) child.kill('SIGKILL');
      else child.disconnect();
      return exited;
    },
  };
}

/** What a worker that died before it was ready failed with (the slots wrap it in a WorkerStartupError). */
function startFailure(exitCode: number | null, signal: NodeJS.Signals | null, error?: Error): WorkerCrashedError {
  const crash = new WorkerCrashedError({ exitCode, signal });
  const how = error
    ? `could not be spawned (${error.message})`
    : signal !== null
      ? `was killed by ${signal}`
      : `exited with code ${exitCode}`;
  crash.message = `A worker process ${how} before it was ready; its stderr may say why`;
  if (error) crash.cause = error;
  return crash;
}

/** The worker could not send its result back: every item of the job fails with a CloneError. */
function unsendable(job: Job, reason: string): JobResult {
  const error = serializeError(toCloneError(new Error(reason), 'result'));
  const indexes = Array.from({ length: jobLength(job) }, (_, index) => index);
  return { values: indexes.map(() => undefined), failures: indexes.map((index) => ({ index, error })) };
}

/**
 * A fixed set of `child_process.fork` workers (one OS process each, like
 * Python's Pool), talking over IPC with structured-clone serialization. The
 * core's WorkerSlots queues, recycles and replaces them; idle workers do not
 * keep the program alive.
 */
export class ChildProcessBackend extends defineAdapter({
  name: 'child-process',
  package: '@parapool/child-process',
  optionsKey: 'childProcess',
  resolve: checkOptions,
  capabilities: { separateProcesses: true },
  spawn: startWorker,
}) {
  /** Process ids of the live worker processes. */
  get pids(): number[] {
    return this.slots.workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
  }
}
