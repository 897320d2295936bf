/**
 * Zero-copy hand-over between threads: which ArrayBuffers of a job or a result
 * are moved (transferred) instead of copied.
 *
 * Two kinds are moved, on backends that declare `capabilities.transfers`:
 * - the core's own packed buffers (the Float64Array a chunk of numbers, a
 *   matrix of rows or a column of arguments travels as; a worker's packed
 *   results): nobody else holds them, so moving them is invisible;
 * - buffers the user marked with {@link transfer}: an argument (or a `map`
 *   item) or a task's return value. The sender's copy is detached (its
 *   `byteLength` becomes 0), as with `postMessage(value, [buffer])`.
 *
 * Jobs and results stay plain data: the transfer list travels beside them.
 */
import type { Job, JobResult } from './job.js';
import { isPackedTuples } from './packing.js';

/** What {@link transfer} accepts: an ArrayBuffer, or a typed array / DataView over a whole ArrayBuffer. */
export type TransferableValue = ArrayBuffer | ArrayBufferView;

interface Marks {
  readonly values: WeakSet<object>;
  /** Whether anything was ever marked in this thread (so unmarked programs never look). */
  used: boolean;
  /**
   * Whether this thread is a worker, where a task may hand back an argument it
   * received: that may be a view of part of a buffer it did not make (a process
   * channel's decoder makes views into the larger message; a cloned view keeps
   * its whole buffer; a BullMQ host reads a chunk's items as views into one
   * buffer). There a view of part of its buffer is copied, not refused.
   */
  partialViewsCopied?: boolean | (() => boolean);
}

// On globalThis, so every copy of this module in one thread (a task module
// that resolved @parapool/core elsewhere) shares the marks.
const KEY = Symbol.for('parapool.transferMarks');

function marks(): Marks {
  const store = globalThis as unknown as Record<symbol, Marks | undefined>;
  let found = store[KEY];
  if (!found) {
    found = { values: new WeakSet(), used: false };
    store[KEY] = found;
  }
  return found;
}

const NONE: readonly ArrayBuffer[] = Object.freeze([]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'an object';
}

/**
 * Marks `value` to be moved, not copied, to the worker (as an argument of
 * `apply`/`applyAsync`, an argument list's entry of `starmap`, or an item of
 * `map`/`imap`), or back to the caller (returned by a task). Returns `value`
 * itself, so it can wrap an argument in place:
 *
 * ```ts
 * const data = new Float64Array(10_000_000);
 * const sum = await pool.apply(tasks.sum, [transfer(data)]); // data.byteLength is now 0
 * ```
 *
 * On a backend whose `capabilities.transfers` is `false` (worker processes,
 * BullMQ) the value is copied as usual and the sender keeps it. A typed array
 * moves its whole buffer, so in the caller it must span it (a `subarray`, or a
 * small Node `Buffer` from the shared pool, would detach memory it does not
 * show: pass `view.slice()` instead). In a task, a view of part of its buffer
 * is copied instead of refused: an argument the task received may be one (a
 * process channel decodes typed arrays as views into the message), and handing
 * it back with `transfer()` must work on every backend. Only top-level values
 * are found: a marked buffer nested inside an object argument is copied.
 *
 * @throws TypeError for anything that cannot be moved: not an ArrayBuffer or a
 * view of one, a SharedArrayBuffer (shared already: pass it as is), a view of
 * part of its buffer (in the caller), or a buffer that was moved already (detached).
 *
 * @example
 * ```ts
 * const samples = new Float64Array(10_000_000);
 * const total = await pool.apply(tasks.sum, [transfer(samples)]); // samples is detached here now
 *
 * // in a task: hand a buffer back without a copy
 * export const tasks = defineTasks(import.meta.url, { scale: (data: Float64Array) => transfer(data.map((x) => x * 2)) });
 * ```
 */
export function transfer<T extends TransferableValue>(value: T): T {
  const buffer = bufferOf(value);
  if (buffer instanceof SharedArrayBuffer) {
    throw new TypeError(
      'transfer(): a SharedArrayBuffer is shared with the workers already, not moved: pass it without transfer()',
    );
  }
  if (!(buffer instanceof ArrayBuffer)) {
    throw new TypeError(
      `transfer() moves an ArrayBuffer or a typed array / DataView (got ${describe(value)}): other values are copied, pass them without transfer()`,
    );
  }
  const view = value as ArrayBufferView;
  const store = marks();
  if (
    ArrayBuffer.isView(value) &&
    (view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) &&
    !partialViewsCopied(store)
  ) {
    throw new TypeError(
      `transfer(): this ${describe(value)} shows ${view.byteLength} of its buffer's ${buffer.byteLength} bytes, and moving it would detach the whole buffer: pass a copy of just those bytes (view.slice()) or the buffer itself`,
    );
  }
  if (buffer.byteLength === 0 && isDetached(buffer)) {
    throw new TypeError(
      'transfer(): this buffer was moved to another thread already (it is detached): a buffer can be moved once; pass a fresh copy',
    );
  }
  store.values.add(value);
  store.used = true;
  return value;
}

/**
 * @internal Called by the worker runtime of a real worker (thread or process):
 * there `transfer()` accepts a view of part of its buffer and copies it. An
 * in-process runtime passes `when`, true while a task of its runs.
 */
export function copyPartialViews(when: true | (() => boolean) = true): void {
  marks().partialViewsCopied = when;
}

function partialViewsCopied(store: Marks): boolean {
  const when = store.partialViewsCopied;
  return typeof when === 'function' ? when() : when === true;
}

function bufferOf(value: unknown): unknown {
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return value;
  if (ArrayBuffer.isView(value)) return value.buffer;
  return undefined;
}

/** A zero-length buffer that structured clone refuses is a detached one. */
function isDetached(buffer: ArrayBuffer): boolean {
  try {
    structuredClone(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * True when `value` holds a buffer that was moved away (detached), looking
 * into arrays, plain objects, maps and sets a few levels deep. For error
 * messages only: some runtimes' structured clone (Bun's) refuses a detached
 * buffer without saying that it is one.
 */
export function holdsDetachedBuffer(value: unknown, depth = 6): boolean {
  if (value instanceof ArrayBuffer) return value.byteLength === 0 && isDetached(value);
  if (ArrayBuffer.isView(value)) return value.byteLength === 0 && holdsDetachedBuffer(value.buffer, 0);
  if (depth <= 0 || typeof value !== 'object' || value === null) return false;
  const inner =
    value instanceof Map
      ? [...value.values()]
      : value instanceof Set
        ? [...value]
        : Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype
          ? Object.values(value)
          : [];
  return inner.some((item) => holdsDetachedBuffer(item, depth - 1));
}

/** True when `value` was marked with {@link transfer} (in this thread). */
export function isMarkedForTransfer(value: unknown): boolean {
  const store = marks();
  return store.used && value !== null && typeof value === 'object' && store.values.has(value);
}

/** Collects buffers without duplicates (a transfer list may name a buffer once). */
class TransferList {
  list: ArrayBuffer[] | undefined;
  #seen: Set<ArrayBuffer> | undefined;

  /**
   * One of the core's packed arrays (never the user's), moved only if it spans
   * its whole buffer. The core packs each in a buffer of its own; a job decoded
   * from elsewhere (a bullmq host reading it from Redis) may hold views into one
   * shared buffer, which must be copied: moving it would move (and detach) the
   * rest of that buffer too, and listing it twice is a DataCloneError.
   */
  own(data: unknown): void {
    if (!(data instanceof Float64Array) || !(data.buffer instanceof ArrayBuffer) || data.byteLength === 0) return;
    const buffer = data.buffer;
    if (data.byteOffset !== 0 || data.byteLength !== buffer.byteLength) return;
    if (this.list?.includes(buffer)) return;
    this.#push(buffer);
  }

  /** The buffer of a value the user marked, if `value` is one. */
  marked(value: unknown, store: Marks): void {
    if (value === null || typeof value !== 'object' || !store.values.has(value)) return;
    const buffer = bufferOf(value);
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return; // detached: cloning it reports that
    // A view of part of its buffer is copied: moving it would detach memory it does not show.
    if (ArrayBuffer.isView(value) && (value.byteOffset !== 0 || value.byteLength !== buffer.byteLength)) return;
    this.#seen ??= new Set(this.list);
    if (this.#seen.has(buffer)) return;
    this.#seen.add(buffer);
    this.#push(buffer);
  }

  #push(buffer: ArrayBuffer): void {
    if (this.list) this.list.push(buffer);
    else this.list = [buffer];
  }

  /** The top-level values of `values` (and of its argument lists, if `spread`) that are marked. */
  markedIn(values: readonly unknown[], spread: boolean, store: Marks): void {
    for (const value of values) {
      if (spread && Array.isArray(value)) for (const arg of value) this.marked(arg, store);
      else this.marked(value, store);
    }
  }

  done(): readonly ArrayBuffer[] {
    return this.list ?? NONE;
  }
}

/**
 * Caller side: the buffers of `job` to move to the worker — the core's packed
 * chunks, and the values marked with {@link transfer} among its arguments (not
 * the initializer's: every job carries those again).
 */
export function jobTransferList(job: Job): readonly ArrayBuffer[] {
  const out = new TransferList();
  const store = marks();
  const { items, columns } = job;
  if (Array.isArray(items)) {
    if (store.used) out.markedIn(items, job.spread, store);
  } else out.own(items);
  if (columns) {
    for (const column of columns) {
      if (Array.isArray(column)) {
        if (store.used) out.markedIn(column, false, store);
      } else out.own(column);
    }
  }
  return out.done();
}

/**
 * Worker side: the buffers of `result` to move back to the caller — the packed
 * values the runtime built, and the values a task returned marked with
 * {@link transfer}.
 */
export function resultTransferList(result: JobResult): readonly ArrayBuffer[] {
  const out = new TransferList();
  const { values } = result;
  if (values instanceof Float64Array) out.own(values);
  else if (isPackedTuples(values)) for (const column of values.columns) out.own(column);
  else {
    const store = marks();
    if (store.used) out.markedIn(values, false, store);
  }
  return out.done();
}

/**
 * Whether `job` may be sent to a busy worker ahead of time as a copy, so that it
 * can still go to another worker if it never starts there: it holds no buffer
 * marked with {@link transfer} (moving those is what the user asked for), and at
 * most `maxBytes` of packed data (copying more costs more than a job ahead saves).
 */
export function copyableAhead(job: Job, maxBytes: number): boolean {
  const store = marks();
  const { items, columns } = job;
  let bytes = 0;
  if (Array.isArray(items)) {
    if (store.used && hasMarked(items, job.spread, store)) return false;
  } else bytes += (items as Float64Array).byteLength;
  if (columns) {
    for (const column of columns) {
      if (Array.isArray(column)) {
        if (store.used && hasMarked(column, false, store)) return false;
      } else bytes += (column as Float64Array).byteLength;
    }
  }
  return bytes <= maxBytes;
}

function hasMarked(values: readonly unknown[], spread: boolean, store: Marks): boolean {
  const found = new TransferList();
  found.markedIn(values, spread, store);
  return found.list !== undefined;
}
