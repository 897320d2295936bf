import { taskLabel } from '../tasks.js';
import type { Job, TaskRef } from '../wire/job.js';
import { firstFailure } from '../wire/job-codec.js';
import { type PackedChunk, packChunk } from '../wire/packing.js';
import { AdaptiveChunks } from './adaptive-chunks.js';
import { abortReason, type CallRegistry, ChunkedCall } from './chunked-call.js';
import { nameFailedItem, nameUncloneableItem } from './clone-failure.js';
import type { JobQueue } from './job-queue.js';
import type { CallOptions, MapOptions } from './types.js';

/** Copies a chunk's values into `out` from `offset` on. */
function writeInto(out: unknown[], offset: number, values: readonly unknown[] | Float64Array): void {
  if (values instanceof Float64Array) writeNumbers(out, offset, values);
  else writeValues(out, offset, values);
}

// One loop per kind of values, so each stays specialized to its kind, with the
// length read once per chunk: read per item, as before, the loop over a
// Float64Array took about twice as long (a micro-benchmark of 8 chunks of 25,000).
function writeNumbers(out: unknown[], offset: number, values: Float64Array): void {
  const n = values.length;
  for (let i = 0; i < n; i++) out[offset + i] = values[i];
}

function writeValues(out: unknown[], offset: number, values: readonly unknown[]): void {
  const n = values.length;
  for (let i = 0; i < n; i++) out[offset + i] = values[i];
}

/**
 * The result array of a call of `n` items, made for the kind of values its first
 * chunk brought. For numbers (a Float64Array) it is an array V8 keeps as raw
 * doubles from the start: `new Array(n)` makes one of small integers, which V8
 * reallocates as doubles (a second copy of `n` slots) at the first number
 * stored from a Float64Array. Either way every slot is written before the call resolves.
 */
function resultArray(n: number, first: readonly unknown[] | Float64Array): unknown[] {
  if (!(first instanceof Float64Array)) return new Array<unknown>(n);
  const out: unknown[] = [0.5]; // (an array literal of a fraction: elements kept as doubles)
  out.length = n;
  return out;
}

/** Where a call's outcome goes: a promise's settlers, or an AsyncResult's. */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What a call asks of each of its task calls: a timeout, and retries after a crash. */
export interface Terms {
  readonly timeout: number | undefined;
  readonly retries: number;
  /**
   * The call yields each item's result as it comes (`imap`, `imapUnordered`): with a timeout, its
   * thread workers record each item as it ends, so that a chunk with a call stuck past its timeout
   * still delivers the items before it (a `map` fails whole at the stuck call: it records nothing).
   */
  readonly yieldsEach?: boolean;
}

/** What a call needs from its pool. */
export interface CallHost {
  readonly queue: JobQueue;
  readonly calls: CallRegistry;
  /** A call's terms: its own options over the pool's defaults (throws for bad ones). */
  terms(options: CallOptions): Terms;
  /**
   * Builds the job for a chunk the caller made and leaves alone (packs it, adds
   * the pool's initializer and the call's terms). With `rowWidth`, `items` is a
   * matrix of rows packed already.
   */
  job(task: TaskRef, items: unknown[] | Float64Array, spread: boolean, terms: Terms, rowWidth?: number): Job;
  /** The job for a chunk packed already (adds the pool's initializer and the call's terms). */
  wrap(task: TaskRef, chunk: PackedChunk, terms: Terms): Job;
}

/** The ChunkedCall of a `map` or `starmap` of `n` items: its progress, label, retries, and its failure settling the call. */
function mapCall(
  host: CallHost,
  ref: TaskRef,
  n: number,
  terms: Terms,
  options: MapOptions,
  method: string,
  settle: Settle<unknown[]>,
): ChunkedCall {
  return new ChunkedCall(host.queue, host.calls, {
    signal: options.signal,
    onProgress: options.onProgress,
    progress: options.progress,
    label: () => `${method} ${taskLabel(ref)}`,
    total: n,
    retries: terms.retries,
    onFail: (error) => settle.reject(error),
  });
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
  size: number | AdaptiveSize,
  options: MapOptions,
  method: string,
  settle: Settle<unknown[]>,
): void {
  if (options.signal?.aborted) {
    settle.reject(abortReason(options.signal));
    return;
  }
  let terms: Terms;
  try {
    terms = host.terms(options);
  } catch (error) {
    settle.reject(error);
    return;
  }
  const n = items.length;
  if (n === 0) {
    settle.resolve([]);
    return;
  }
  if (typeof size !== 'number') {
    runAdaptive(host, ref, items, spread, size.window, terms, options, method, settle);
    return;
  }
  // The result, allocated at its length when the first chunk's values arrive
  // (not before the first chunks are sent) and filled as each arrives, while the
  // workers still run the others: about 3x cheaper than growing it by push.
  let remaining = Math.ceil(n / size);
  const single = remaining === 1;
  let out: unknown[] | undefined;
  const call = mapCall(host, ref, n, terms, options, method, settle);
  for (let offset = 0; offset < n && !call.ended; offset += size) {
    const end = Math.min(n, offset + size);
    call.send(
      host.wrap(ref, packChunk(items, offset, end, spread), terms),
      (result) => {
        const failure = firstFailure(result);
        if (failure) return call.fail(nameFailedItem(failure.error, offset + failure.index, method));
        const { values } = result;
        if (!single) {
          out ??= resultArray(n, values);
          writeInto(out, offset, values);
        }
        if (!call.progress(end - offset, n)) return;
        if (--remaining === 0) {
          call.finish();
          if (out) settle.resolve(out);
          else if (Array.isArray(values)) settle.resolve(values);
          else {
            const all = resultArray(n, values);
            writeInto(all, 0, values);
            settle.resolve(all);
          }
        }
      },
      // (only now, on this rare path, the chunk's items as a list again, to name the one that cannot be cloned)
      (error) => call.fail(nameUncloneableItem(error, items.slice(offset, end), offset, method)),
      offset,
    );
  }
}

/** `chunksize: 'auto'` on map/starmap: at most `window` chunks in flight at once. */
export interface AdaptiveSize {
  readonly window: number;
}

/**
 * `map` / `starmap` with `chunksize: 'auto'`, as on imap (see {@link AdaptiveChunks}): the first chunk holds
 * one item, and each next one is sized from what the finished chunks cost to move against the work in them.
 * A chunk's size is known only once chunks before it have finished, so chunks are sent as others finish,
 * at most `window` at once; results are written in input order and the first failing item fails the call.
 */
function runAdaptive(
  host: CallHost,
  ref: TaskRef,
  items: readonly unknown[],
  spread: boolean,
  window: number,
  terms: Terms,
  options: MapOptions,
  method: string,
  settle: Settle<unknown[]>,
): void {
  const n = items.length;
  const adaptive = new AdaptiveChunks();
  let out: unknown[] | undefined;
  let sent = 0;
  let inFlight = 0;
  let finished = 0;
  const call = mapCall(host, ref, n, terms, options, method, settle);
  const sendMore = (): void => {
    while (!call.ended && sent < n && inFlight < window) {
      const offset = sent;
      const end = Math.min(n, offset + adaptive.size);
      sent = end;
      inFlight++;
      call.send(
        host.wrap(ref, packChunk(items, offset, end, spread), terms),
        (result, roundTripMs) => {
          inFlight--;
          if (result.ran) adaptive.observe(end - offset, result.ran.ms, roundTripMs - (result.loadMs ?? 0));
          const failure = firstFailure(result);
          if (failure) return call.fail(nameFailedItem(failure.error, offset + failure.index, method));
          out ??= resultArray(n, result.values);
          writeInto(out, offset, result.values);
          if (!call.progress(end - offset, n)) return;
          finished += end - offset;
          if (finished === n) {
            call.finish();
            settle.resolve(out);
          } else sendMore();
        },
        (error) => call.fail(nameUncloneableItem(error, items.slice(offset, end), offset, method)),
        offset,
      );
    }
  };
  sendMore();
}
