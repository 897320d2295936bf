/**
 * A job's item record: what each item of a job that may be sent again (its call has `retries`)
 * ended with, written by the worker as each item ends, into memory shared with the caller. When
 * the worker dies, the caller sends the same job (and its record) again, and the next worker
 * takes the recorded outcomes instead of running those items twice: only the item that was
 * running when its worker died, and those after it, run again.
 *
 * Shared memory reaches thread workers (and the caller's own thread), not worker processes: a job
 * for those has a record file instead (`<Job.notes>.record`, see {@link fileRecorder}), which the
 * worker appends each ended item to with a synchronous write (the OS keeps what was written when
 * the process is killed), and a worker that runs the job again reads.
 *
 * A number is stored as it is; any other value, and a failure, as its structured-clone bytes
 * (`v8.serialize`), in a byte area that grows as it needs up to a bound. A value the record cannot
 * keep (one that cannot be serialized, a registered class's instance, a record full) leaves its
 * item unrecorded: it runs again.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { ItemRecord, Job, Recorded } from './job.js';
import { jobLength } from './packing.js';
import type { SerializedError } from './value-codec.js';

/** The states of an item in the record. */
const ITEM = { open: 0, number: 1, value: 2, failure: 3 } as const;

/** Header cells of `cells`: the bytes used in `bytes`. */
const USED = 0;
const HEADER = 1;

/** The most bytes a record keeps for values other than numbers. */
const MAX_BYTES = 16 * 1024 * 1024;
const FIRST_BYTES = 4096;

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

/**
 * `job`, which may be sent again, as a backend of `capabilities` runs it: with a record in shared
 * memory (`Job.record`) where its workers are threads of this process, which write each item's
 * outcome into it as it ends; unchanged where they are processes (their record is a file named
 * after the job's `resendKey`) or the caller's own thread (nothing to lose). For the core's pool,
 * and for an adapter that hands its own workers jobs it did not make with it (a bullmq host's).
 */
export function withItemRecord<J extends Job>(
  job: J,
  capabilities: { readonly separateProcesses: boolean; readonly inProcess: boolean },
): J {
  if (capabilities.separateProcesses || capabilities.inProcess) return job;
  return { ...job, resend: true, record: newItemRecord(jobLength(job)) };
}

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
  if (keepable(value)) writeBytes(record, i, value, ITEM.value);
}

/** Whether a record can keep `value` as it is (a class instance would come back a plain object: such an item runs again instead). */
function keepable(value: unknown): boolean {
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  }
  return typeof value !== 'function' && typeof value !== 'symbol';
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

/** Where a job run again finds its ended items, and records those that end: over shared memory or a file. */
export interface ItemRecorder {
  /** What item `i` ended with in an earlier run, if it did. */
  recorded(i: number): Recorded;
  /** Item `i` returned `value`. */
  value(i: number, value: unknown): void;
  /** Item `i` failed with `error`. */
  failure(i: number, error: SerializedError): void;
  /** The job is done with its record (a file is closed). */
  close(): void;
  /**
   * It holds no outcome of an earlier run (`recorded` is always undefined): a job's synchronous
   * calls may run in the worker's tight loop, which records each outcome as it goes.
   */
  readonly fresh?: true;
}

/**
 * The recorder of `job`'s ended items: its record in shared memory (`job.record`, thread workers
 * of the caller's process), else the record file beside the job's notes path `notes` (a worker
 * process's; `held` first, where the process holds its outcomes in memory for its watch), else none.
 * The worker that runs the job writes through it; whoever judges a job that died or got stuck
 * reads it.
 */
export function jobRecorder(
  job: Pick<Job, 'record'>,
  notes: string | undefined,
  held?: () => ItemRecorder | undefined,
): ItemRecorder | undefined {
  if (job.record) return sharedRecorder(job.record);
  if (notes === undefined) return undefined;
  return held?.() || fileRecorder(`${notes}.record`);
}

/** The recorder of a record in shared memory. */
export function sharedRecorder(record: ItemRecord): ItemRecorder {
  return {
    recorded: (i) => recorded(record, i),
    value: (i, value) => recordValue(record, i, value),
    failure: (i, error) => recordFailure(record, i, error),
    close: () => {},
  };
}

/** An entry of a record file: `[index u32, state u8, length u32]`, then `length` bytes (a number's 8, or structured-clone bytes). */
const ENTRY_HEADER = 9;

/** The outcomes a record file at `path` holds (none when there is no file yet). */
function readRecordFile(path: string): Map<number, Exclude<Recorded, undefined>> {
  const before = new Map<number, Exclude<Recorded, undefined>>();
  let data: Buffer | undefined;
  try {
    data = readFileSync(path);
  } catch {
    return before; // none yet: the first run
  }
  for (let at = 0; at + ENTRY_HEADER <= data.length; ) {
    const index = data.readUInt32LE(at);
    const state = data.readUInt8(at + 4);
    const length = data.readUInt32LE(at + 5);
    const start = at + ENTRY_HEADER;
    if (start + length > data.length) break;
    try {
      if (state === ITEM.number) before.set(index, { value: data.readDoubleLE(start) });
      else {
        const decoded = deserialize(data.subarray(start, start + length));
        before.set(index, state === ITEM.value ? { value: decoded } : { failure: decoded as SerializedError });
      }
    } catch {
      break; // cut short or damaged: what follows runs again
    }
    at = start + length;
  }
  return before;
}

/** Writes the header of item `i`'s entry (record file format) at `at` in `view`: its index, its state, its body's length. */
function writeEntryHeader(view: DataView, at: number, i: number, state: number, length: number): void {
  view.setUint32(at, i, true);
  view.setUint8(at + 4, state);
  view.setUint32(at + 5, length, true);
}

/** The `value` and `failure` of a recorder that hands each item's entry (record file format) to `put`. */
function entryWriters(put: (entry: Uint8Array) => void): Pick<ItemRecorder, 'value' | 'failure'> {
  const entry = (i: number, state: number, body: Uint8Array) => {
    const bytes = new Uint8Array(ENTRY_HEADER + body.length);
    writeEntryHeader(new DataView(bytes.buffer), 0, i, state, body.length);
    bytes.set(body, ENTRY_HEADER);
    put(bytes);
  };
  const serialized = (data: unknown): Uint8Array | undefined => {
    try {
      return serialize(data);
    } catch {
      return undefined;
    }
  };
  return {
    value: (i, value) => {
      if (typeof value === 'number') {
        const body = Buffer.allocUnsafe(8);
        body.writeDoubleLE(value, 0);
        entry(i, ITEM.number, body);
        return;
      }
      const body = keepable(value) ? serialized(value) : undefined;
      if (body) entry(i, ITEM.value, body);
    },
    failure: (i, error) => {
      const body = serialized(error);
      if (body) entry(i, ITEM.failure, body);
    },
  };
}

/**
 * The recorder of a record file at `path` (a worker process's, see `Job.notes`): the entries an
 * earlier run wrote are read when it is made (a last entry cut short by a killed process is left
 * out); each ended item is appended with one `writeSync`. A file that cannot be read or written
 * records nothing: those items run again.
 */
export function fileRecorder(path: string): ItemRecorder {
  const before = readRecordFile(path);
  let fd: number | undefined;
  let broken = false;
  const append = (entry: Uint8Array) => {
    if (broken) return;
    try {
      fd ??= openSync(path, 'a');
      writeSync(fd, entry);
    } catch {
      broken = true; // nowhere to write: the items from here on run again if the job is sent again
    }
  };
  return {
    recorded: (i) => before.get(i),
    ...entryWriters(append),
    close: () => {
      if (fd === undefined) return;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      fd = undefined;
    },
  };
}

/**
 * A worker process's record of a job whose outcomes matter only if one of its calls gets stuck
 * (a call that yields each result, with a timeout, and no retries: `Job.keepOnStall`): each
 * entry (record file format) goes into `area`, memory shared with the process's watch thread,
 * whose length is `lengths[at]`; the watch appends the area to the job's record file before it
 * ends the process for a stuck call (worker/parent-watch.ts). No write per item. Once an entry
 * does not fit, nothing more is kept: a stuck call after it fails its job whole.
 */
export function heldRecorder(area: Uint8Array, lengths: Int32Array, at: number): ItemRecorder {
  Atomics.store(lengths, at, 0);
  const view = new DataView(area.buffer, area.byteOffset, area.byteLength);
  let full = false;
  /** Room for `bytes` more, at the returned offset (-1: none, and nothing more is kept). */
  const room = (bytes: number): number => {
    const used = full ? -1 : (lengths[at] as number); // (only this thread writes it)
    if (used >= 0 && used + bytes <= area.length) return used;
    full = true;
    return -1;
  };
  const writers = entryWriters((entry) => {
    const used = room(entry.length);
    if (used < 0) return;
    area.set(entry, used);
    Atomics.store(lengths, at, used + entry.length);
  });
  return {
    fresh: true,
    recorded: () => undefined,
    value: (i, value) => {
      if (typeof value !== 'number') return writers.value(i, value);
      // A number straight into the area (the common case: no allocation).
      const used = room(ENTRY_HEADER + 8);
      if (used < 0) return;
      writeEntryHeader(view, used, i, ITEM.number, 8);
      view.setFloat64(used + ENTRY_HEADER, value, true);
      // A plain store, as the stall board's per call: the watch reads it only once this thread has
      // been stuck in one call for the whole timeout, long after it was written.
      lengths[at] = used + ENTRY_HEADER + 8;
    },
    failure: writers.failure,
    close: () => {},
  };
}
