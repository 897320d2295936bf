/**
 * The piscina worker entry: runs one parapool job with the core's worker runtime.
 */
import { ensureCloneable, type Job, type JobResult, runJob } from '@parapool/core/worker';

/**
 * piscina posts the returned value itself; if it cannot be cloned, the thread
 * dies with an error the caller cannot read. `ensureCloneable` reports such
 * results as CloneError failures instead.
 */
export default async function runParapoolJob(job: Job): Promise<JobResult> {
  return ensureCloneable(await runJob(job));
}
