// The poolifier worker: one task function that runs a parapool job with the
// core's worker runtime; a ThreadWorker in a worker thread, a ClusterWorker in a
// cluster process (workerType 'cluster').
//
// CommonJS on purpose. poolifier sends its startup message as soon as it forks
// a cluster worker, and a child process drops IPC messages that arrive before it
// listens: an ES module entry, loaded asynchronously, would miss it and the
// worker would never be ready. require() registers the worker in the first tick;
// the core's runtime (an ES module) is imported with the first job.
import type { Job, JobResult } from '@parapool/core/worker';

import poolifier = require('poolifier');
import workerThreads = require('node:worker_threads');

let runtime: Promise<typeof import('@parapool/core/worker')> | undefined;

async function runParapoolJob(job?: Job): Promise<JobResult> {
  runtime ??= import('@parapool/core/worker');
  const { ensureCloneable, runJob } = await runtime;
  // poolifier posts the result itself; one that cannot be cloned would fail inside it.
  // ensureCloneable turns such items into CloneError failures instead.
  return ensureCloneable(await runJob(job as Job));
}

module.exports = workerThreads.isMainThread
  ? new poolifier.ClusterWorker(runParapoolJob)
  : new poolifier.ThreadWorker(runParapoolJob);
