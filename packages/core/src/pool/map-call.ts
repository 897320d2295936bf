import type { MapOptions } from '../types.js';
import type { Job, TaskRef } from '../wire/job.js';
import { firstFailure } from '../wire/job-outcome.js';
import { packNumbers } from '../wire/packing.js';
import { abortReason, type CallRegistry, ChunkedCall } from './chunked-call.js';
import { nameFailedItem, nameUncloneableItem } from './clone-failure.js';
import type { JobQueue } from './job-queue.js';

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
  const results = new Array<unknown>(n);
  let remaining = Math.ceil(n / size);
  const call = new ChunkedCall(host.queue, host.calls, {
    signal: options.signal,
    onProgress: options.onProgress,
    progress: options.progress,
    label: `${method} ${taskLabel(ref)}`,
    total: n,
    onFail: (error) => settle.reject(error),
  });
  const packed = spread ? (items as unknown[]) : packNumbers(items as unknown[]);
  for (let offset = 0; offset < n && !call.ended; offset += size) {
    const slice = packed.slice(offset, offset + size);
    call.send(
      host.job(ref, slice, spread),
      (result) => {
        const failure = firstFailure(result);
        if (failure) return call.fail(nameFailedItem(failure.error, offset + failure.index, method));
        const { values } = result;
        for (let i = 0; i < values.length; i++) results[offset + i] = values[i];
        if (!call.progress(slice.length, n)) return;
        if (--remaining === 0) {
          call.finish();
          settle.resolve(results);
        }
      },
      (error) => call.fail(nameUncloneableItem(error, slice, offset, method)),
      offset,
    );
  }
}
