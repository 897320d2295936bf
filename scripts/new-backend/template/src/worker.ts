/**
 * The worker thread: receives jobs, runs them with the core's worker runtime,
 * sends the outcomes back.
 */
import { parentPort } from 'node:worker_threads';
import { ensureCloneable, type Job, resultTransfers, runJob } from '@parapool/core/worker';
import type { FromWorker } from './backend.js';

const port = parentPort;
if (!port) throw new Error('@parapool/__name__: worker.js runs inside a worker thread; import the package instead');

port.on('message', async (job: Job) => {
  const result = await runJob(job);
  try {
    // Packed values and buffers a task marked with transfer() are moved back, not copied.
    port.postMessage({ result } satisfies FromWorker, resultTransfers(result) as ArrayBuffer[]);
  } catch {
    // A value cannot be cloned (a function, a symbol...): those items fail with CloneError, the rest arrive.
    const safe = ensureCloneable(result);
    port.postMessage({ result: safe } satisfies FromWorker, resultTransfers(safe) as ArrayBuffer[]);
  }
});

port.postMessage({ ready: true } satisfies FromWorker);
