// The poolifier worker: one task function that runs a parapool job with the
// core's worker runtime; a ThreadWorker in a worker thread, a ClusterWorker in a
// cluster process (workerType 'cluster').
//
// CommonJS on purpose. poolifier sends its startup message as soon as it forks
// a cluster worker, and a child process drops IPC messages that arrive before it
// listens: an ES module entry, loaded asynchronously, would miss it and the
// worker would never be ready. require() registers the worker in the first tick;
// the core's runtime (an ES module) is imported with the first job.
import type { MessagePort } from 'node:worker_threads';
import type { Job, JobResult } from '@parapool/core/worker';

import poolifier = require('poolifier');
import workerThreads = require('node:worker_threads');

type Runtime = typeof import('@parapool/core/worker');
let runtime: Promise<Runtime> | undefined;
/** The runtime once a job has loaded it (a result is sent only after its job ran). */
let loaded: Runtime | undefined;

async function runParapoolJob(job?: Job): Promise<JobResult> {
  runtime ??= import('@parapool/core/worker');
  loaded = await runtime;
  const { ensureCloneable, runJob } = loaded;
  // poolifier posts the result itself; one that cannot be cloned would fail inside it.
  // ensureCloneable turns such items into CloneError failures instead.
  return ensureCloneable(await runJob(job as Job));
}

type Message = Parameters<poolifier.ThreadWorker<Job, JobResult>['sendToMainWorker']>[0];

/**
 * A ThreadWorker that moves a result's buffers back instead of copying them:
 * the core's packed values and values marked with `transfer()`. poolifier posts
 * its messages without a transfer list; this one posts them the way poolifier
 * does (on the port of its startup message, with the worker's id), with one.
 */
class MovingThreadWorker extends poolifier.ThreadWorker<Job, JobResult> {
  #port: MessagePort | undefined;

  protected override handleReadyMessage(
    message: Parameters<poolifier.ThreadWorker<Job, JobResult>['handleReadyMessage']>[0],
  ): void {
    this.#port = message.port;
    super.handleReadyMessage(message);
  }

  protected override readonly sendToMainWorker = (message: Message): void => {
    const transfer = message.data && loaded ? loaded.resultTransfers(message.data) : [];
    this.#port?.postMessage({ ...message, workerId: this.id }, transfer as ArrayBuffer[]);
  };
}

module.exports = workerThreads.isMainThread
  ? new poolifier.ClusterWorker(runParapoolJob)
  : new MovingThreadWorker(runParapoolJob);
