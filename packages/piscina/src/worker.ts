/**
 * The piscina worker entry: runs one parapool job with the core's worker runtime.
 */
import { answerJob, type Job, type JobResult } from '@parapool/core/worker';

/** piscina posts the returned value itself; packed values and buffers marked with transfer() are moved back. */
export default async function runParapoolJob(job: Job): Promise<JobResult> {
  const { result, transfer: transferList } = await answerJob(job);
  if (transferList.length === 0) return result;
  // Loaded on first use: a worker whose results hold no buffer never loads piscina's main module.
  piscina ??= loadPiscina();
  const { move, transferableSymbol, valueSymbol } = await piscina;
  return move({ [transferableSymbol]: transferList, [valueSymbol]: result } as never) as never;
}

const loadPiscina = () => import('piscina');
let piscina: ReturnType<typeof loadPiscina> | undefined;
