/**
 * The worker side of a channel worker (see backends/channel-worker.ts): a
 * worker thread or process that receives jobs by `postMessage` or IPC, runs
 * them with the core's worker runtime and sends the outcomes back.
 */
import { serialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { type JobMessage, JobReader, type WorkerMessage } from '../wire/channel.js';
import { type CloneCheckOptions, ensureCloneable } from '../wire/cloneable.js';
import type { JobResult } from '../wire/job.js';
import { resultTransfers, runJob } from './thread.js';

/** Sends one message to the caller; `done` is called once it is written (or failed to be). */
type Send = (message: WorkerMessage, transfer: readonly ArrayBuffer[], done: (error: Error | null) => void) => void;

/**
 * Serves jobs in this worker: the whole of a channel worker's entry file.
 * In a worker thread it answers through `parentPort`; in a process started by
 * `child_process.fork`, over IPC (and exits when its parent is gone).
 *
 * @param name the package, for the error when this file is run some other way
 *
 * @example
 * ```ts
 * // worker.ts
 * import { serveChannel } from '@parapool/core/worker';
 * serveChannel('@parapool/mylib');
 * ```
 */
export function serveChannel(name = '@parapool/core'): void {
  const port = parentPort;
  if (port) {
    const send: Send = (message, transfer, done) => {
      port.postMessage(message, transfer as ArrayBuffer[]);
      done(null);
    };
    const reader = new JobReader();
    port.on('message', (message: JobMessage) => serve(message, reader, send, threadEncoding));
    send({ ready: true }, [], () => {});
    return;
  }
  const ipc = process.send?.bind(process) as
    | ((message: WorkerMessage, callback?: (error: Error | null) => void) => boolean)
    | undefined;
  if (!ipc) {
    throw new Error(
      `${name}: the worker runs inside a worker thread or a process started by child_process.fork; import the package instead`,
    );
  }
  // No orphans: the IPC channel closes when the parent exits, is killed, or
  // retires this worker; a worker without a parent has nothing left to do.
  process.on('disconnect', () => process.exit());
  const send: Send = (message, _transfer, done) => {
    if (!process.connected) return; // the parent is gone; 'disconnect' ends this process
    ipc(message, done);
  };
  const reader = new JobReader();
  process.on('message', (message: JobMessage) => serve(message, reader, send, processEncoding));
  // Retired before it was ready: the channel is already closed.
  if (process.connected) ipc({ ready: true }, (error) => error && process.exit());
}

/** Runs one job and answers it; `last` (a single-job process): exits once the answer is written. */
function serve(
  message: JobMessage,
  reader: JobReader,
  send: Send,
  encoding: (refusal: unknown) => CloneCheckOptions,
): void {
  const { job, last } = reader.read(message);
  const id = message[0];
  const answer = (result: JobResult) => {
    // A write that fails means the parent closed the channel or is gone: nothing left to do.
    const done = (error: Error | null) => {
      if (error || last) process.exit(error ? undefined : result.failures ? 1 : 0);
    };
    // A single job's return value is discarded (as in Python's Process): only failures travel.
    reply(id, last ? { values: [], failures: result.failures } : result, reader, send, done, encoding);
  };
  const result = runJob(job);
  if (result instanceof Promise) result.then(answer);
  else answer(result);
}

/** A thread's channel is structured clone, which the runtime's own clone check knows. */
const threadEncoding = (): CloneCheckOptions => ({});

/** The two encodings a worker process's IPC channel may use, told apart by how it refused. */
function processEncoding(refusal: unknown): CloneCheckOptions {
  const advanced = refusal instanceof Error && /could not be cloned/.test(refusal.message);
  return {
    channel: advanced
      ? { encode: serialize, carries: 'no shared memory between processes' }
      : { encode: JSON.stringify, carries: "with 'json' serialization, only JSON" },
  };
}

/**
 * Sends `result`. If the channel refuses it although the runtime found every
 * value cloneable (a function on a thread; a SharedArrayBuffer, which does not
 * cross processes; with 'json', a BigInt or a cycle), the items whose value the
 * channel's own encoding refuses fail alone with a CloneError and the others
 * travel; if nothing can be isolated, the job is answered as unsendable.
 */
function reply(
  id: number,
  result: JobResult,
  reader: JobReader,
  send: Send,
  done: (error: Error | null) => void,
  encoding: (refusal: unknown) => CloneCheckOptions,
): void {
  let refusal: unknown;
  try {
    const message = reader.reply(id, result);
    send(message, resultTransfers(result), done);
    reader.sent(message);
    return;
  } catch (error) {
    refusal = error;
  }
  const isolated = ensureCloneable(result, encoding(refusal));
  if (isolated !== result) {
    try {
      const message = reader.reply(id, isolated);
      send(message, resultTransfers(isolated), done);
      reader.sent(message);
      return;
    } catch (error) {
      refusal = error;
    }
  }
  // Still refused: say so rather than leave the job hanging.
  send({ id, unsendable: refusal instanceof Error ? refusal.message : String(refusal) }, [], done);
}
