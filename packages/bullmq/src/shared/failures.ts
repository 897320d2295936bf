import { WorkerCrashedError } from '@parapool/core';

const STALLED = /stalled more than allowable limit|started more than allowable limit/;

/**
 * The error of a chunk BullMQ failed. Its stalled-job recovery fails a chunk
 * whose host died running it more than `maxStalledCount` times: that is a
 * WorkerCrashedError (a poison chunk ends, it does not cycle for ever). Any
 * other failure is a host that could not run the chunk.
 */
export function failedChunkError(reason: string, attemptsStarted: number): Error {
  if (STALLED.test(reason)) {
    const error = new WorkerCrashedError({ reason: 'its host process died' });
    error.message = `The host running this chunk died before finishing it, each of the ${attemptsStarted} times it started (BullMQ: ${reason}). A task that kills its whole host process (process.kill, a native crash, the host running out of memory) fails its call after a bounded number of attempts (the hosts' --max-stalled-count + 1); the other hosts keep serving.`;
    return error;
  }
  return new Error(`A host failed to run this chunk: ${reason}`);
}
