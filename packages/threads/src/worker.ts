/**
 * The worker entry: exposes one function through threads.js that runs a job
 * with the core's worker runtime. Loaded as an ES module (dist/worker.js).
 */
import { answerJob, type Job } from '@parapool/core/worker';

// threads.js adds process-wide 'uncaughtException' and 'unhandledRejection'
// listeners to every worker. They swallow the error (it is reported only while
// the worker starts), so a task whose timer throws would leave its job pending
// for ever. Remove them: such an error then ends the worker, as in any worker
// thread, and the pool fails that job with WorkerCrashedError and replaces it.
const before = new Set<unknown>([
  ...process.listeners('uncaughtException'),
  ...process.listeners('unhandledRejection'),
]);
const { expose, Transfer } = await import('threads/worker');
for (const listener of process.listeners('uncaughtException')) {
  if (!before.has(listener)) process.off('uncaughtException', listener);
}
for (const listener of process.listeners('unhandledRejection')) {
  if (!before.has(listener)) process.off('unhandledRejection', listener);
}

// runJob never rejects and returns plain data (errors already serialized), so
// threads.js's own error serializer never touches a task's errors. A value
// that cannot be cloned becomes that item's CloneError, not threads.js's error.
// Packed values and buffers marked with transfer() are moved back, not copied.
expose(async (job: Job) => {
  const { result, transfer } = await answerJob(job);
  return transfer.length > 0 ? Transfer(result as never, transfer as ArrayBuffer[]) : result;
});
