/**
 * The worker process: receives jobs over IPC, runs them with the core's worker
 * runtime, sends the outcomes back.
 */
import { serialize } from 'node:v8';
import { ensureCloneable, type JobResult, runJob } from '@parapool/core/worker';
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

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The two encodings a worker's IPC channel may use, as the core's clone check probes them. */
const CHANNELS = {
  advanced: { encode: serialize, carries: 'no shared memory between processes' },
  json: { encode: JSON.stringify, carries: "with 'json' serialization, only JSON" },
} as const;

/**
 * The channel refused `result` although the runtime found every value
 * cloneable (a SharedArrayBuffer, which does not cross processes; with 'json'
 * serialization, a BigInt or a cycle): the items whose value the channel's own
 * encoding refuses fail alone, with a CloneError, and the others travel.
 * `refusal` tells which encoding the channel uses. Undefined if nothing could be isolated.
 */
function isolate(result: JobResult, refusal: unknown): JobResult | undefined {
  const advanced = refusal instanceof Error && /could not be cloned/.test(refusal.message);
  const isolated = ensureCloneable(result, { channel: advanced ? CHANNELS.advanced : CHANNELS.json });
  return isolated === result ? undefined : isolated;
}

function reply(message: JobMessage, result: JobResult): void {
  const done = sent(message.last ? () => process.exit(result.failures ? 1 : 0) : undefined);
  // A Process's return value is discarded (as in Python): only failures travel.
  const out = message.last ? { values: [], failures: result.failures } : result;
  if (!process.connected) return; // the parent is gone; 'disconnect' ends this process
  let refusal: unknown;
  try {
    send?.({ id: message.id, result: out }, done);
    return;
  } catch (error) {
    refusal = error;
  }
  const isolated = isolate(out, refusal);
  if (isolated) {
    try {
      send?.({ id: message.id, result: isolated }, done);
      return;
    } catch (error) {
      refusal = error;
    }
  }
  // Still refused: say so rather than leave the job hanging.
  send?.({ id: message.id, unsendable: reasonOf(refusal) }, done);
}

process.on('message', (message: JobMessage) => {
  const result = runJob(message.job);
  if (result instanceof Promise) result.then((r) => reply(message, r));
  else reply(message, result);
});

// Retired before it was ready: the channel is already closed.
if (process.connected) send({ ready: true }, sent());
