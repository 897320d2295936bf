/**
 * The tinypool worker entry: runs one parapool job with the core's worker runtime.
 */
import { answerJob, type Job, type JobResult } from '@parapool/core/worker';

/** tinypool posts the returned value itself; packed values and buffers marked with transfer() are moved back. */
export default async function runParapoolJob(job: Job): Promise<JobResult> {
  const { result, transfer: transferList } = await answerJob(job);
  if (transferList.length === 0) return result;
  // Loaded on first use: a worker whose results hold no buffer never loads tinypool's main module.
  tinypool ??= import('tinypool');
  const { Tinypool } = await tinypool;
  return Tinypool.move({
    [Tinypool.transferableSymbol]: transferList,
    [Tinypool.valueSymbol]: result,
  } as never) as never;
}

let tinypool: Promise<typeof import('tinypool')> | undefined;
