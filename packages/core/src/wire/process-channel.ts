/**
 * What a process IPC channel other than Node's would do wrong with a job.
 * Node's channel refuses shared memory and values structured clone cannot copy
 * (a DataCloneError at send(), which adapters report as a CloneError). Bun's
 * copies shared memory without a word (the worker would write to a copy the
 * caller never sees); Deno's breaks the channel on a value it cannot copy (the
 * worker looks crashed). On those runtimes an adapter that sends jobs to a
 * process checks each job first: a full copy, the price of the same answer on
 * every runtime.
 */
import { CloneError } from '../errors.js';
import { currentRuntime } from '../runtime.js';
import { toCloneError } from './error-transport.js';
import type { Job } from './job.js';
import { containsSharedMemory } from './shared-memory.js';

const NODE = currentRuntime().name === 'node';

/** The CloneError a job sent to a worker process must fail with, checked where the channel is not Node's; else undefined. */
export function processChannelRefusal(job: Job): CloneError | undefined {
  if (NODE) return undefined;
  if (containsSharedMemory(job)) {
    return new CloneError(
      'An argument could not be copied between processes: it holds a SharedArrayBuffer, and shared memory exists only between the threads of one process. Pass a copy (an ArrayBuffer or typed array), or use worker threads.',
    );
  }
  try {
    structuredClone(job);
    return undefined;
  } catch (error) {
    return toCloneError(error, 'argument', job);
  }
}
