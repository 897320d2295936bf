/**
 * Ended items that travel: a job whose worker is on another machine (a bullmq host's) cannot
 * share a record with its caller, nor a file. When such a worker dies, its host reads what the
 * job's items ended with from its own record ({@link itemsEndedBeforeCrash}) and sends them back
 * with the crash ({@link carryEndedItems}); the caller's core sends the job again carrying them
 * (`Job.ended`), and the worker that runs it takes those outcomes instead of calling the task
 * (`withEnded`): only the item that was running, and those after it, run again.
 */

import { type ItemRecorder, jobRecorder } from './item-record.js';
import type { EndedItem, Job, Recorded } from './job.js';
import { notesPath, removeRecord } from './notes.js';
import { jobLength } from './packing.js';

/** `inner` (if any) that also holds `ended`, the outcomes of earlier runs a job was sent with. */
export function withEnded(
  ended: readonly EndedItem[] | undefined,
  inner: ItemRecorder | undefined,
): ItemRecorder | undefined {
  if (!ended || ended.length === 0) return inner;
  const before = new Map<number, Exclude<Recorded, undefined>>();
  for (const item of ended) before.set(item.i, 'value' in item ? { value: item.value } : { failure: item.failure });
  return {
    recorded: (i) => before.get(i) ?? inner?.recorded(i),
    value: (i, value) => inner?.value(i, value),
    failure: (i, error) => inner?.failure(i, error),
    close: () => inner?.close(),
  };
}

/**
 * For a job whose local worker died (a host's): every item that had ended, in this run or those
 * before it (`job.ended`), read from the job's record — in shared memory (`job.record`) or its
 * worker process's record file, which is removed. Empty for a job that keeps no record.
 */
export function itemsEndedBeforeCrash(job: Job): EndedItem[] {
  const file = job.resendKey !== undefined ? notesPath(job.resendKey) : undefined;
  const items = withEnded(job.ended, jobRecorder(job, file));
  const ended: EndedItem[] = [];
  if (items) {
    for (let i = 0, n = jobLength(job); i < n; i++) {
      const outcome = items.recorded(i);
      if (outcome) ended.push({ i, ...outcome });
    }
    items.close();
  }
  if (file !== undefined) removeRecord(file);
  return ended;
}

const CARRIED = Symbol('parapool.endedItems');

/** `error` (a worker's crash), carrying the items of its job that had ended: the core sends the job again with them. */
export function carryEndedItems<E extends Error>(error: E, ended: readonly EndedItem[]): E {
  if (ended.length > 0) Object.defineProperty(error, CARRIED, { value: ended, configurable: true, writable: true });
  return error;
}

/** The ended items a crash carries (see {@link carryEndedItems}), if any. */
export function endedItemsCarried(error: unknown): readonly EndedItem[] | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  return (error as { [CARRIED]?: readonly EndedItem[] })[CARRIED];
}
