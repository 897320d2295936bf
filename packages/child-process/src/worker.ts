/**
 * The worker process: receives jobs over IPC, runs them with the core's worker
 * runtime, sends the outcomes back.
 */
import { type JobResult, runJob } from '@parapool/core/worker';
import type { JobMessage, WorkerMessage } from './fork-worker.js';

const send = process.send?.bind(process) as
  | ((message: WorkerMessage, callback?: (error: Error | null) => void) => boolean)
  | undefined;
if (!send) {
  throw new Error('@parapool/child-process: the worker must be started with child_process.fork (it talks over IPC)');
}

// No orphans: the IPC channel closes when the parent exits, is killed, or
// retires this worker; a worker without a parent has nothing left to do.
process.on('disconnect', () => process.exit());

/** A write that fails means the parent closed the channel or is gone: nothing left to do. */
const sent = (then?: () => void) => (error: Error | null) => (error ? process.exit() : then?.());

function reply(message: JobMessage, result: JobResult): void {
  const done = sent(message.last ? () => process.exit(result.failures ? 1 : 0) : undefined);
  // A Process's return value is discarded (as in Python): only failures travel.
  const out = message.last ? { values: [], failures: result.failures } : result;
  if (!process.connected) return; // the parent is gone; 'disconnect' ends this process
  try {
    send?.({ id: message.id, result: out }, done);
  } catch (error) {
    // The result cannot be serialized: say so rather than leave the job hanging.
    const unsendable = error instanceof Error ? error.message : String(error);
    send?.({ id: message.id, unsendable }, done);
  }
}

process.on('message', (message: JobMessage) => {
  const result = runJob(message.job);
  if (result instanceof Promise) result.then((r) => reply(message, r));
  else reply(message, result);
});

// Retired before it was ready: the channel is already closed.
if (process.connected) send({ ready: true }, sent());
