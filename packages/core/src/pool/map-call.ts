import type { MapOptions } from '../types.js';
import type { Job, TaskRef } from '../wire/job.js';
import { firstFailure } from '../wire/job-outcome.js';
import { packRange } from '../wire/packing.js';
import { abortReason, type CallRegistry, ChunkedCall } from './chunked-call.js';
import { nameFailedItem, nameUncloneableItem } from './clone-failure.js';
import type { JobQueue } from './job-queue.js';

/** Copies a chunk's values into `out` from `offset` on. */
function writeInto(out: unknown[], offset: number, values: ArrayLike<unknown>): void {
  for (let i = 0, k = offset; i < values.length; i++, k++) out[k] = values[i];
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
  /**
   * Builds the job for a chunk (adds the pool's initializer, columns for spread
   * calls). With `rowWidth`, `items` is a matrix of rows packed already.
   */
  job(task: TaskRef, items: unknown[] | Float64Array, spread: boolean, rowWidth?: number): Job;
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
  // The result, allocated at its length and filled as each chunk arrives (while
  // the workers still run the others): about 3x cheaper than growing it by push.
  let remaining = Math.ceil(n / size);
  const single = remaining === 1;
  const out = single ? undefined : new Array<unknown>(n);
  const call = new ChunkedCall(host.queue, host.calls, {
    signal: options.signal,
    onProgress: options.onProgress,
    progress: options.progress,
    label: `${method} ${taskLabel(ref)}`,
    total: n,
    onFail: (error) => settle.reject(error),
  });
  for (let offset = 0; offset < n && !call.ended; offset += size) {
    const end = Math.min(n, offset + size);
    const packed = spread ? { items: items.slice(offset, end) } : packRange(items, offset, end);
    const slice = packed.items;
    call.send(
      host.job(ref, slice, spread, packed.rowWidth),
      (result) => {
        const failure = firstFailure(result);
        if (failure) return call.fail(nameFailedItem(failure.error, offset + failure.index, method));
        const { values } = result;
        if (out) writeInto(out, offset, values);
        if (!call.progress(end - offset, n)) return; // (a packed slice may have moved to the worker)
        if (--remaining === 0) {
          call.finish();
          if (out) settle.resolve(out);
          else if (Array.isArray(values)) settle.resolve(values);
          else {
            const all = new Array<unknown>(n);
            writeInto(all, 0, values);
            settle.resolve(all);
          }
        }
      },
      (error) => call.fail(nameUncloneableItem(error, slice, offset, method)),
      offset,
    );
  }
}
