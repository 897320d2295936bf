import type { MapOptions } from '../types.js';
import type { Job, TaskRef } from '../wire/job.js';
import { firstFailure } from '../wire/job-outcome.js';
import { packNumberRange } from '../wire/packing.js';
import { abortReason, type CallRegistry, ChunkedCall } from './chunked-call.js';
import { nameFailedItem, nameUncloneableItem } from './clone-failure.js';
import type { JobQueue } from './job-queue.js';

/** The chunks' values end to end, as one array. */
function concat(chunks: ArrayLike<unknown>[]): unknown[] {
  if (chunks.length === 1 && Array.isArray(chunks[0])) return chunks[0];
  let total = 0;
  for (const values of chunks) total += values.length;
  // Sized once and filled in order: several times cheaper than growing it by push
  // (filled with 0 first so that it is a packed array, not a holey one).
  const out = new Array<unknown>(total).fill(0);
  let k = 0;
  for (const values of chunks) for (let i = 0; i < values.length; i++) out[k++] = values[i];
  return out;
}

/** A task's name for progress bars. */
export function taskLabel(ref: TaskRef): string {
  return ref.kind === 'module' ? ref.name : 'inline';
}

/** Where a call's outcome goes: a promise's settlers, or an AsyncResult's. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What a call needs from its pool. */
export interface CallHost {
  readonly queue: JobQueue;
  readonly calls: CallRegistry;
  /** Builds the job for a chunk (adds the pool's initializer, columns for spread calls). */
  job(task: TaskRef, items: unknown[] | Float64Array, spread: boolean): Job;
}

/**
 * `map` / `starmap` over a list: every chunk is queued at once, results are
 * written in input order, the first failing item fails the call (fail fast).
 */
export function runMap(
  host: CallHost,
  ref: TaskRef,
  items: readonly unknown[],
  spread: boolean,
  size: number,
  options: MapOptions,
  method: string,
  settle: Settle<unknown[]>,
): void {
  if (options.signal?.aborted) {
    settle.reject(abortReason(options.signal));
    return;
  }
  const n = items.length;
  if (n === 0) {
    settle.resolve([]);
    return;
  }
  // Each chunk's values, kept until all are in, then laid end to end (filling
  // one array in order is much cheaper than filling it out of order).
  const chunks = new Array<ArrayLike<unknown>>(Math.ceil(n / size));
  let remaining = chunks.length;
  const call = new ChunkedCall(host.queue, host.calls, {
    signal: options.signal,
    onProgress: options.onProgress,
    progress: options.progress,
    label: `${method} ${taskLabel(ref)}`,
    total: n,
    onFail: (error) => settle.reject(error),
  });
  for (let offset = 0, seq = 0; offset < n && !call.ended; offset += size, seq++) {
    const end = Math.min(n, offset + size);
    const slice = spread ? items.slice(offset, end) : packNumberRange(items, offset, end);
    call.send(
      host.job(ref, slice, spread),
      (result) => {
        const failure = firstFailure(result);
        if (failure) return call.fail(nameFailedItem(failure.error, offset + failure.index, method));
        chunks[seq] = result.values;
        if (!call.progress(slice.length, n)) return;
        if (--remaining === 0) {
          call.finish();
          settle.resolve(concat(chunks));
        }
      },
      (error) => call.fail(nameUncloneableItem(error, slice, offset, method)),
      offset,
    );
  }
}
