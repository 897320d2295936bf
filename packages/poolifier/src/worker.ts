/**
 * The worker thread: receives jobs, runs them with the core's worker runtime,
 * sends the outcomes back.
 */
import { parentPort } from 'node:worker_threads';
import { ensureCloneable, type Job, runJob } from '@parapool/core/worker';
import type { FromWorker } from './backend.js';

const port = parentPort;
if (!port) throw new Error('@parapool/poolifier: worker.js runs inside a worker thread; import the package instead');

port.on('message', async (job: Job) => {
  const result = await runJob(job);
  try {
    port.postMessage({ result } satisfies FromWorker);
  } catch {
    // A value cannot be cloned (a function, a symbol...): those items fail with CloneError, the rest arrive.
    port.postMessage({ result: ensureCloneable(result) } satisfies FromWorker);
  }
});

port.postMessage({ ready: true } satisfies FromWorker);
