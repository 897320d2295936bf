import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { CloneError, WorkerCrashedError } from '../errors.js';
import { isReply, type JobMessage, JobWriter, type WorkerMessage } from '../wire/channel.js';
import { serializeError, toCloneError } from '../wire/error-transport.js';
import type { Job, JobResult } from '../wire/job.js';
import { jobLength } from '../wire/packing.js';
import { processChannelRefusal } from '../wire/process-channel.js';
import type { Crashed } from './adapter.js';
import { crashError, type SlotWorker } from './worker-slots.js';

/** A worker reached by messages: a `node:worker_threads` Worker, or a process from `child_process.fork`. */
export type ChannelTarget = Worker | ChildProcess;

/**
 * A worker thread or process whose entry calls `serveChannel()` (from
 * `@parapool/core/worker`), as a SlotWorker: the core sends it jobs and reads
 * its answers, waits for its ready message, watches it die (an uncaught
 * exception, `process.exit()` in a task, a signal, out of memory) and stops it.
 * An adapter over raw threads or processes only starts `target`.
 *
 * @example
 * ```ts
 * spawn: (options, crashed) => channelWorker(new Worker(new URL('./worker.js', import.meta.url), options), crashed),
 * // worker.js: import { serveChannel } from '@parapool/core/worker'; serveChannel();
 * ```
 */
export function channelWorker(target: ChannelTarget, crashed: Crashed): SlotWorker {
  return isThread(target) ? threadWorker(target, crashed) : processWorker(target, crashed);
}

function isThread(target: ChannelTarget): target is Worker {
  return typeof (target as Worker).postMessage === 'function';
}

/** The side every channel shares: ids, the ready message, answers. */
function channel(post: (message: JobMessage, transfer: readonly ArrayBuffer[], job: Job) => void) {
  let up = false;
  let nextId = 1;
  /** Jobs sent and not yet answered (more than one with jobs ahead), by id. */
  const sent = new Map<number, { readonly job: Job; resolve(result: JobResult): void }>();
  const writer = new JobWriter();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const send = (job: Job, transfer: readonly ArrayBuffer[]) =>
    new Promise<JobResult>((resolve, reject) => {
      const id = nextId++;
      sent.set(id, { job, resolve });
      try {
        const message = writer.write(id, job);
        post(message, transfer, job);
        writer.sent(message);
      } catch (error) {
        // The arguments could not be serialized; the worker never saw the job.
        // (A process's 'json' serialization throws a TypeError: still a clone error, not a crash.)
        sent.delete(id);
        reject(error instanceof CloneError ? error : toCloneError(error, 'argument', job));
      }
    });
  return {
    ready,
    get up() {
      return up;
    },
    get busy() {
      return sent.size > 0;
    },
    receive(message: WorkerMessage): void {
      if (isReply(message)) {
        const id = message[0];
        const waiting = sent.get(id);
        if (!waiting) return;
        sent.delete(id);
        waiting.resolve(writer.read(message));
        return;
      }
      if ('ready' in message) {
        up = true;
        markReady();
        return;
      }
      const waiting = sent.get(message.id);
      if (!waiting) return;
      sent.delete(message.id);
      waiting.resolve(unsendable(waiting.job, message.unsendable));
    },
    run: (job: Job, transfer: readonly ArrayBuffer[]) =>
      up ? send(job, transfer) : ready.then(() => send(job, transfer)),
  };
}

function threadWorker(worker: Worker, crashed: Crashed): SlotWorker {
  const link = channel((message, transfer) => worker.postMessage(message, transfer as ArrayBuffer[]));
  worker.on('message', link.receive);
  // An 'error' (an uncaught exception, out of memory) comes before its 'exit', and says more.
  worker.once('error', (error) => crashed(crashError(error)));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (exitCode) => {
      resolve();
      crashed(link.up ? new WorkerCrashedError({ exitCode }) : startFailure('thread', exitCode, null));
    });
  });
  return {
    ready: link.ready,
    pid: process.pid,
    threadId: worker.threadId,
    run: link.run,
    keepAlive: (alive) => (alive ? worker.ref() : worker.unref()),
    stop: () => worker.terminate().then(() => exited),
  };
}

function processWorker(child: ChildProcess, crashed: Crashed): SlotWorker {
  const link = channel((message, _transfer, job) => {
    // Bun's and Deno's IPC channels get a value Node's refuses wrong: refused before it is sent.
    const refused = processChannelRefusal(job);
    if (refused) throw refused;
    child.send(message);
  });
  child.on('message', link.receive);
  const exited = new Promise<void>((resolve) => {
    const died = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      resolve();
      crashed(
        link.up ? new WorkerCrashedError({ exitCode, signal }) : startFailure('process', exitCode, signal, error),
      );
    };
    child.once('exit', died);
    // A process that could not be spawned at all emits 'error' and never 'exit'.
    child.on('error', (error) => {
      if (child.pid === undefined) died(null, null, error);
    });
  });
  // Bun's IPC channel has no ref()/unref() (child.ref() and child.unref() cover it there).
  const ipc = child.channel as { ref?(): void; unref?(): void } | null | undefined;
  const keepAlive = (alive: boolean) => {
    if (alive) {
      child.ref();
      ipc?.ref?.();
    } else {
      child.unref();
      ipc?.unref?.();
    }
  };
  return {
    get pid() {
      return child.pid;
    },
    ready: link.ready,
    keepAlive,
    run: link.run,
    stop: () => {
      keepAlive(true); // until it has exited
      // A busy or starting worker is killed; an idle one exits when its IPC channel closes.
      if (link.busy || !link.up || !child.connected) child.kill('SIGKILL');
      else child.disconnect();
      return exited;
    },
  };
}

/** What a worker that died before it was ready failed with (the slots wrap it in a WorkerStartupError). */
function startFailure(
  kind: 'thread' | 'process',
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  error?: Error,
): WorkerCrashedError {
  const crash = new WorkerCrashedError({ exitCode, signal });
  const how = error
    ? `could not be spawned (${error.message})`
    : signal !== null
      ? `was killed by ${signal}`
      : `exited with code ${exitCode}`;
  crash.message = `A worker ${kind} ${how} before it was ready; its stderr may say why`;
  if (error) crash.cause = error;
  return crash;
}

/** The worker could not send its result back: every item of the job fails with a CloneError. */
function unsendable(job: Job, reason: string): JobResult {
  const error = serializeError(toCloneError(new Error(reason), 'result'));
  const indexes = Array.from({ length: jobLength(job) }, (_, index) => index);
  return { values: indexes.map(() => undefined), failures: indexes.map((index) => ({ index, error })) };
}
