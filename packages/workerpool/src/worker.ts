/**
 * The workerpool worker: exposes one method, `runJob`, that runs a job with
 * the core's worker runtime. workerpool carries the job in and the result out.
 */
import { answerJob, type Job, type JobResult } from '@parapool/core/worker';
import workerpool from 'workerpool';

workerpool.worker({
  // workerpool posts the result itself; one that cannot be cloned would reach the
  // caller as an error without its message. ensureCloneable turns such items into
  // CloneError failures instead.
  // Packed values and buffers marked with transfer() are moved back, not copied (none in a worker process).
  runJob: async (job: Job): Promise<JobResult> => {
    const { result, transfer } = await answerJob(job);
    return transfer.length > 0 ? (new workerpool.Transfer(result, transfer as ArrayBuffer[]) as never) : result;
  },
});
