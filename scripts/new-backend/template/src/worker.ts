/**
 * The worker thread: receives jobs, runs them with the core's worker runtime,
 * sends the outcomes back.
 */
import { parentPort } from 'node:worker_threads';
import { runJob } from '@parapool/core/worker';
import type { FromWorker, ToWorker } from './backend.js';

const port = parentPort;
if (!port) throw new Error('@parapool/__name__: worker.js runs inside a worker thread; import the package instead');

port.on('message', async ({ id, job }: ToWorker) => {
  const result = await runJob(job);
  try {
    port.postMessage({ id, result } satisfies FromWorker);
  } catch (error) {
    // The result cannot be cloned (a function, a symbol...): say so rather than leave the job hanging.
    port.postMessage({ id, unsendable: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
  }
});

port.postMessage({ ready: true } satisfies FromWorker);
