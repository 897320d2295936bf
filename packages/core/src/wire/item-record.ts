/**
 * A job's item record: what each item of a job that may be sent again (its call has `retries`)
 * ended with, written by the worker as each item ends, into memory shared with the caller. When
 * the worker dies, the caller sends the same job (and its record) again, and the next worker
 * takes the recorded outcomes instead of running those items twice: only the item that was
 * running when its worker died, and those after it, run again.
 *
 * Shared memory reaches thread workers (and the caller's own thread), not worker processes: a job
 * for those carries no record, and its whole chunk runs again.
 *
 * A number is stored as it is; any other value, and a failure, as its structured-clone bytes
 * (`v8.serialize`), in a byte area that grows as it needs up to a bound. A value the record cannot
 * keep (one that cannot be serialized, a registered class's instance, a record full) leaves its
 * item unrecorded: it runs again.
 */
import { deserialize, serialize } from 'node:v8';
import type { SerializedError } from './value-codec.js';

/** The states of an item in the record. */
const ITEM = { open: 0, number: 1, value: 2, failure: 3 } as const;

/** Header cells of `cells`: the bytes used in `bytes`. */
const USED = 0;
const HEADER = 1;

/** The most bytes a record keeps for values other than numbers. */
const MAX_BYTES = 16 * 1024 * 1024;
const FIRST_BYTES = 4096;

/** A job's item record (plain data: typed arrays over shared memory). */
export interface ItemRecord {
  /** `[bytes used, then per item: state, byte offset, byte length]`. */
  readonly cells: Int32Array;
  /** Per item: its value, when a number. */
  readonly numbers: Float64Array;
  /** Values and failures as structured-clone bytes (a growable SharedArrayBuffer where the runtime has them). */
  readonly bytes: SharedArrayBuffer;
}

const growable = typeof (SharedArrayBuffer.prototype as { grow?: unknown }).grow === 'function';

/** A record for a job of `items` items (the caller's side). */
export function newItemRecord(items: number): ItemRecord {
  return {
    cells: new Int32Array(new SharedArrayBuffer(4 * (HEADER + 3 * items))),
    numbers: new Float64Array(new SharedArrayBuffer(8 * items)),
    bytes: growable
      ? new (
          SharedArrayBuffer as unknown as new (
            length: number,
            options: { maxByteLength: number },
          ) => SharedArrayBuffer
        )(FIRST_BYTES, { maxByteLength: MAX_BYTES })
      : new SharedArrayBuffer(FIRST_BYTES * 16),
  };
}

/** What the record holds for item `i`: nothing (it runs), its value, or its failure. */
export type Recorded = undefined | { readonly value: unknown } | { readonly failure: SerializedError };

/** The outcome recorded for item `i`, if it ended in an earlier run. */
export function recorded(record: ItemRecord, i: number): Recorded {
  const at = HEADER + 3 * i;
  const state = Atomics.load(record.cells, at);
  if (state === ITEM.open) return undefined;
  if (state === ITEM.number) return { value: record.numbers[i] };
  const offset = record.cells[at + 1] as number;
  const length = record.cells[at + 2] as number;
  const data = deserialize(new Uint8Array(record.bytes, offset, length).slice());
  return state === ITEM.value ? { value: data } : { failure: data as SerializedError };
}

/** Records that item `i` returned `value`. */
export function recordValue(record: ItemRecord, i: number, value: unknown): void {
  if (typeof value === 'number') {
    record.numbers[i] = value;
    Atomics.store(record.cells, HEADER + 3 * i, ITEM.number);
    return;
  }
  // A class instance would come back a plain object: such an item runs again instead.
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  }
  if (typeof value === 'function' || typeof value === 'symbol') return;
  writeBytes(record, i, value, ITEM.value);
}

/** Records that item `i` failed with `error` (serialized). */
export function recordFailure(record: ItemRecord, i: number, error: SerializedError): void {
  writeBytes(record, i, error, ITEM.failure);
}

function writeBytes(record: ItemRecord, i: number, data: unknown, state: number): void {
  let bytes: Uint8Array;
  try {
    bytes = serialize(data);
  } catch {
    return; // cannot be kept: the item runs again
  }
  const used = record.cells[USED] as number;
  const end = used + bytes.length;
  const buffer = record.bytes as SharedArrayBuffer & { grow?(length: number): void; readonly maxByteLength?: number };
  if (end > buffer.byteLength) {
    if (!buffer.grow || end > (buffer.maxByteLength ?? 0)) return; // full: the item runs again
    buffer.grow(Math.min(buffer.maxByteLength ?? end, Math.max(end, 2 * buffer.byteLength)));
  }
  new Uint8Array(buffer, used, bytes.length).set(bytes);
  record.cells[USED] = end;
  const at = HEADER + 3 * i;
  record.cells[at + 1] = used;
  record.cells[at + 2] = bytes.length;
  Atomics.store(record.cells, at, state);
}
