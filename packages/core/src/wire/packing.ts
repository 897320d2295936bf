import type { Job, PackedTuples } from './job.js';

/**
 * How a chunk travels cheaply. Chunks made only of numbers travel as a Float64Array: structured clone copies
 * it as one block instead of element by element (several times faster for the
 * big numeric chunks of `map`), and no number changes on the way (NaN, -0,
 * integers and fractions survive a float64 exactly).
 */

/** Below this many items, packing saves nothing worth its check. */
export const MIN_PACKED = 64;
/** Fewest calls for which argument lists are sent as columns. */
const MIN_COLUMNS = 16;
/** Most arguments per call sent as columns. */
const MAX_COLUMN_ARGS = 8;
/** Fewest rows worth packing as a matrix. */
const MIN_ROWS = 16;
/** Widest row packed as a matrix. */
const MAX_ROW_WIDTH = 1024;

// The loops below are small functions of their own, each doing one thing over
// one kind of input, so V8 optimizes each once and keeps it optimized whatever
// else ran before (map's rows, starmap's tuples, an applyAsync batch's columns).
// A hot loop inside a bigger function is compiled on the spot (OSR) before the
// code after it has run; with --trace-deopt, starmap's column packing written
// that way deoptimized on every chunk, at the same places, call after call.

/** Copies `items[start..end)` into `out` while they are numbers; false at the first that is not (or a hole). */
function copyNumbers(items: readonly unknown[], start: number, end: number, out: Float64Array): boolean {
  for (let i = start, k = 0; i < end; i++, k++) {
    const x = items[i];
    if (typeof x !== 'number') return false;
    out[k] = x;
  }
  return true;
}

/** Copies rows `items[start..end)` of `width` numbers into `out`, row after row; false at the first that is not. */
function copyRows(items: readonly unknown[], start: number, end: number, width: number, out: Float64Array): boolean {
  let k = 0;
  for (let i = start; i < end; i++) {
    const row = items[i];
    if (!Array.isArray(row) || row.length !== width) return false;
    for (let j = 0; j < width; j++) {
      const x: unknown = row[j];
      if (typeof x !== 'number') return false; // also a hole
      out[k++] = x;
    }
  }
  return true;
}

/** Whether every argument list in `argsLists[start..end)` has `k` arguments. */
function sameArity(argsLists: readonly unknown[][], start: number, end: number, k: number): boolean {
  for (let i = start; i < end; i++) if ((argsLists[i] as unknown[]).length !== k) return false;
  return true;
}

/** Argument `c` of calls `start..end)` into `out` while they are numbers; false at the first that is not. */
function copyNumberColumn(
  argsLists: readonly unknown[][],
  start: number,
  end: number,
  c: number,
  out: Float64Array,
): boolean {
  for (let i = start, k = 0; i < end; i++, k++) {
    const x = (argsLists[i] as unknown[])[c];
    if (typeof x !== 'number') return false;
    out[k] = x;
  }
  return true;
}

/** Argument `c` of calls `start..end)`, rows of `width` numbers, into `out`; false at the first that is not. */
function copyRowColumn(
  argsLists: readonly unknown[][],
  start: number,
  end: number,
  c: number,
  width: number,
  out: Float64Array,
): boolean {
  let k = 0;
  for (let i = start; i < end; i++) {
    const row = (argsLists[i] as unknown[])[c];
    if (!Array.isArray(row) || row.length !== width) return false;
    for (let j = 0; j < width; j++) {
      const x: unknown = row[j];
      if (typeof x !== 'number') return false;
      out[k++] = x;
    }
  }
  return true;
}

/** Argument `c` of calls `start..end)`, as they are. */
function plainColumn(argsLists: readonly unknown[][], start: number, end: number, c: number): unknown[] {
  const out = new Array<unknown>(end - start);
  for (let i = start, k = 0; i < end; i++, k++) out[k] = (argsLists[i] as unknown[])[c];
  return out;
}

/**
 * `items` as a Float64Array if every item is a number (and there are enough of
 * them), else `items`. Chunks are then `slice`s of it: each its own buffer, as a
 * view would send the whole buffer.
 */
export function packNumbers(items: unknown[]): unknown[] | Float64Array {
  const n = items.length;
  if (n < MIN_PACKED) return items;
  const out = new Float64Array(n);
  return copyNumbers(items, 0, n, out) ? out : items;
}

/**
 * Items `start..end)` that are all arrays of the same number (1–1024) of
 * numbers, as one Float64Array matrix (row after row), or `undefined`.
 * Structured clone copies the matrix as one block: several times cheaper than
 * many small arrays, and every number crosses exactly.
 */
export function packRows(
  items: readonly unknown[],
  start = 0,
  end = items.length,
): { data: Float64Array; width: number } | undefined {
  if (end - start < MIN_ROWS) return undefined;
  const first = items[start];
  if (!Array.isArray(first)) return undefined;
  const width = first.length;
  if (width === 0 || width > MAX_ROW_WIDTH) return undefined;
  const data = new Float64Array((end - start) * width);
  return copyRows(items, start, end, width, data) ? { data, width } : undefined;
}

/** Argument lists packed as columns: column `c` holds argument `c` of every call. */
export interface PackedColumns {
  readonly columns: Array<unknown[] | Float64Array>;
  /** Per column, the row width of a column packed as a matrix (0: not a matrix); undefined if none is. */
  readonly rowWidths: number[] | undefined;
}

/**
 * Calls `start..end)` of `argsLists` (argument lists of equal length) as
 * columns, each a Float64Array if numeric, a matrix if made of equal rows of
 * numbers, else an array; or `undefined` when the lists differ in length, are
 * too few, or take no arguments (or more than 8).
 */
export function packColumns(
  argsLists: readonly unknown[][],
  start = 0,
  end = argsLists.length,
): PackedColumns | undefined {
  const n = end - start;
  if (n < MIN_COLUMNS) return undefined;
  const k = (argsLists[start] as unknown[]).length;
  if (k === 0 || k > MAX_COLUMN_ARGS || !sameArity(argsLists, start, end, k)) return undefined;
  const first = argsLists[start] as unknown[];
  const columns = new Array<unknown[] | Float64Array>(k);
  let rowWidths: number[] | undefined;
  for (let c = 0; c < k; c++) {
    const head = first[c];
    let column: unknown[] | Float64Array | undefined;
    if (typeof head === 'number' && n >= MIN_PACKED) {
      const out = new Float64Array(n);
      if (copyNumberColumn(argsLists, start, end, c, out)) column = out;
    } else if (Array.isArray(head) && head.length > 0 && head.length <= MAX_ROW_WIDTH && n >= MIN_ROWS) {
      const width = head.length;
      const out = new Float64Array(n * width);
      if (copyRowColumn(argsLists, start, end, c, width, out)) {
        column = out;
        rowWidths ??= new Array<number>(k).fill(0);
        rowWidths[c] = width;
      }
    }
    columns[c] = column ?? plainColumn(argsLists, start, end, c);
  }
  return { columns, rowWidths };
}

/** Number of calls in a job. */
export function jobLength(job: Job): number {
  if (job.columns) {
    const width = job.columnRowWidths?.[0] || 1;
    return (job.columns[0]?.length ?? 0) / width;
  }
  return job.items.length / (job.rowWidth || 1);
}

/** The rows of a packed matrix, as arrays again. */
export function unpackRows(data: ArrayLike<number>, width: number): number[][] {
  const n = data.length / width;
  const rows = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(width);
    const offset = i * width;
    for (let j = 0; j < width; j++) row[j] = data[offset + j] as number;
    rows[i] = row;
  }
  return rows;
}

/** A job whose rows travel as matrices, back to arrays (a job without them is returned as is). */
export function unpackJob(job: Job): Job {
  if (!job.rowWidth && !job.columnRowWidths) return job;
  const { rowWidth, columnRowWidths, ...rest } = job;
  let unpacked: Job = rest;
  if (rowWidth) unpacked = { ...unpacked, items: unpackRows(job.items as Float64Array, rowWidth) };
  if (columnRowWidths && job.columns) {
    const columns = job.columns.map((column, c) => {
      const width = columnRowWidths[c] ?? 0;
      return width ? unpackRows(column as Float64Array, width) : column;
    });
    unpacked = { ...unpacked, columns };
  }
  return unpacked;
}

/** What a chunk of items travels as: the wire fields of its Job. */
export type PackedChunk = Pick<Job, 'items' | 'spread' | 'rowWidth' | 'columns' | 'columnRowWidths'>;

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * Items `start..end)` of a call's input as they travel, in one pass and
 * without an intermediate copy: numbers as a Float64Array, rows of numbers as
 * a matrix (`rowWidth`), spread argument lists as columns; anything else as a
 * copy of the range — or, with `owned` and the whole of `items`, as `items`
 * itself (a chunk the caller made and will not touch again).
 */
export function packChunk(
  items: readonly unknown[] | Float64Array,
  start: number,
  end: number,
  spread: boolean,
  owned = false,
): PackedChunk {
  const whole = owned && start === 0 && end === items.length;
  if (!Array.isArray(items)) return { items: whole ? items : items.slice(start, end), spread };
  const list = items as readonly unknown[];
  const rest = (): readonly unknown[] => (whole ? list : list.slice(start, end));
  if (spread) {
    const packed = packColumns(list as readonly unknown[][], start, end);
    if (!packed) return { items: rest(), spread };
    return packed.rowWidths
      ? { items: NO_ITEMS, spread, columns: packed.columns, columnRowWidths: packed.rowWidths }
      : { items: NO_ITEMS, spread, columns: packed.columns };
  }
  const head = list[start];
  if (typeof head === 'number' && end - start >= MIN_PACKED) {
    const out = new Float64Array(end - start);
    if (copyNumbers(list, start, end, out)) return { items: out, spread };
  } else if (Array.isArray(head)) {
    const rows = packRows(list, start, end);
    if (rows) return { items: rows.data, spread, rowWidth: rows.width };
  }
  return { items: rest(), spread };
}

/** `values` as PackedTuples when each is an array of the same 1–8 numbers, else undefined. */
export function packTuples(values: readonly unknown[]): PackedTuples | undefined {
  const n = values.length;
  if (n < MIN_PACKED) return undefined;
  const first = values[0];
  if (!Array.isArray(first)) return undefined;
  const k = first.length;
  if (k === 0 || k > MAX_COLUMN_ARGS) return undefined;
  const columns: Float64Array[] = [];
  for (let c = 0; c < k; c++) columns.push(new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const tuple = values[i];
    if (!Array.isArray(tuple) || tuple.length !== k) return undefined;
    for (let c = 0; c < k; c++) {
      const x = tuple[c];
      if (typeof x !== 'number') return undefined;
      (columns[c] as Float64Array)[i] = x;
    }
  }
  return { packed: 'tuples', columns };
}

/** The tuples back as arrays. */
export function unpackTuples(packed: PackedTuples): number[][] {
  const { columns } = packed;
  const n = columns[0]?.length ?? 0;
  const k = columns.length;
  // Each tuple made at its size (an empty array grown by push reserves room for 17).
  const out = new Array<number[]>(n);
  if (k === 2) {
    const [a, b] = columns as [Float64Array, Float64Array];
    for (let i = 0; i < n; i++) out[i] = [a[i] as number, b[i] as number];
    return out;
  }
  for (let i = 0; i < n; i++) {
    const tuple = new Array<number>(k);
    for (let c = 0; c < k; c++) tuple[c] = (columns[c] as Float64Array)[i] as number;
    out[i] = tuple;
  }
  return out;
}

/** True for a JobResult's values sent as PackedTuples. */
export function isPackedTuples(values: unknown): values is PackedTuples {
  return (values as PackedTuples | undefined)?.packed === 'tuples';
}
