/**
 * The workerpool worker: exposes one method, `runJob`, that runs a job with
 * the core's worker runtime. workerpool carries the job in and the result out.
 */
import { ensureCloneable, type Job, type JobResult, runJob } from '@parapool/core/worker';
import workerpool from 'workerpool';

workerpool.worker({
  // workerpool posts the result itself; one that cannot be cloned would reach the
  // caller as an error without its message. ensureCloneable turns such items into
  // CloneError failures instead.
  runJob: async (job: Job): Promise<JobResult> => ensureCloneable(await runJob(job)),
});
