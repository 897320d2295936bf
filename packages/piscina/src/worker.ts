/**
 * The piscina worker entry: runs one parapool job with the core's worker runtime.
 */
import { type Job, type JobResult, runJob } from '@parapool/core/worker';

/** What the worker hands back to piscina: the job's outcomes, or why they cannot be sent. */
export type WireResult = JobResult | { readonly cloneError: string };

const isPrimitive = (value: unknown) =>
  value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');

/**
 * piscina posts the returned value itself; if that value cannot be cloned, the
 * worker thread dies with an error the caller cannot read. So results that are
 * not all primitives are test-cloned here first, and a failure is reported as data.
 */
export default async function runParapoolJob(job: Job): Promise<WireResult> {
  const result = await runJob(job);
  if (result.values.every(isPrimitive)) return result;
  try {
    structuredClone(result);
    return result;
  } catch (error) {
    return { cloneError: error instanceof Error ? error.message : String(error) };
  }
}
