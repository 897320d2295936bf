/**
 * The tinypool worker entry: runs one parapool job with the core's worker runtime.
 */
import { ensureCloneable, type Job, type JobResult, resultTransfers, runJob } from '@parapool/core/worker';

/**
 * tinypool posts the returned value itself; if it cannot be cloned, the thread
 * dies with an error the caller cannot read. `ensureCloneable` reports such
 * results as CloneError failures instead.
 */
export default async function runParapoolJob(job: Job): Promise<JobResult> {
  const result = ensureCloneable(await runJob(job));
  // Packed values and buffers marked with transfer() are moved back, not copied (none in a worker process).
  const transferList = resultTransfers(result);
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
