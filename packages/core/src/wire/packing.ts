import type { Job } from './job.js';

/**
 * How a chunk travels cheaply. Chunks made only of numbers travel as a Float64Array: structured clone copies
 * it as one block instead of element by element (several times faster for the
 * big numeric chunks of `map`), and no number changes on the way (NaN, -0,
 * integers and fractions survive a float64 exactly).
 */

/** Below this many items, packing saves nothing worth its check. */
export const MIN_PACKED = 64;

/**
 * `items` as a Float64Array if every item is a number (and there are enough of
 * them), else `items`. Chunks are then `slice`s of it: each its own buffer, as a
 * view would send the whole buffer.
 */
export function packNumbers(items: unknown[]): unknown[] | Float64Array {
  const n = items.length;
  if (n < MIN_PACKED) return items;
  for (let i = 0; i < n; i++) if (typeof items[i] !== 'number') return items;
  return new Float64Array(items as number[]);
}

/**
 * `items[start..end)` as a Float64Array if every item is a number (and there
 * are enough of them), else as an array: one pass that checks and copies.
 */
export function packNumberRange(items: readonly unknown[], start: number, end: number): unknown[] | Float64Array {
  const n = end - start;
  if (n < MIN_PACKED) return items.slice(start, end);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = items[start + i];
    if (typeof x !== 'number') return items.slice(start, end);
    out[i] = x;
  }
  return out;
}

/** Fewest calls for which argument lists are sent as columns. */
const MIN_COLUMNS = 16;
/** Most arguments per call sent as columns. */
const MAX_COLUMN_ARGS = 8;

/**
 * Argument lists of equal length as columns (each packed if numeric, or as a
 * matrix if made of equal rows of numbers), or `undefined` when they differ in
 * length, are too few, or take no arguments.
 */
export function toPackedColumns(
  argsLists: readonly unknown[][],
): { columns: Array<unknown[] | Float64Array>; rowWidths?: number[] } | undefined {
  const n = argsLists.length;
  if (n < MIN_COLUMNS) return undefined;
  const k = (argsLists[0] as unknown[]).length;
  if (k === 0 || k > MAX_COLUMN_ARGS) return undefined;
  for (let i = 0; i < n; i++) if ((argsLists[i] as unknown[]).length !== k) return undefined;
  const columns: Array<unknown[] | Float64Array> = [];
  let rowWidths: number[] | undefined;
  for (let c = 0; c < k; c++) {
    const packed = packColumn(argsLists, c);
    if (packed.width > 0) {
      rowWidths ??= new Array<number>(k).fill(0);
      rowWidths[c] = packed.width;
    }
    columns.push(packed.data);
  }
  return rowWidths ? { columns, rowWidths } : { columns };
}

/**
 * Argument `c` of every call, in one pass: numbers as a Float64Array, rows of
 * numbers of one width as a matrix (`width` > 0), anything else as an array.
 */
function packColumn(argsLists: readonly unknown[][], c: number): { data: unknown[] | Float64Array; width: number } {
  const n = argsLists.length;
  const first = (argsLists[0] as unknown[])[c];
  if (typeof first === 'number' && n >= MIN_PACKED) {
    const out = new Float64Array(n);
    let i = 0;
    for (; i < n; i++) {
      const x = (argsLists[i] as unknown[])[c];
      if (typeof x !== 'number') break;
      out[i] = x;
    }
    if (i === n) return { data: out, width: 0 };
  } else if (Array.isArray(first) && first.length > 0 && first.length <= MAX_ROW_WIDTH && n >= MIN_ROWS) {
    const width = first.length;
    const out = new Float64Array(n * width);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const row = (argsLists[i] as unknown[])[c];
      if (!Array.isArray(row) || row.length !== width) {
        ok = false;
        break;
      }
      const offset = i * width;
      for (let j = 0; j < width; j++) {
        const x = row[j];
        if (typeof x !== 'number') {
          ok = false;
          break;
        }
        out[offset + j] = x;
      }
    }
    if (ok) return { data: out, width };
  }
  const plain = new Array<unknown>(n);
  for (let i = 0; i < n; i++) plain[i] = (argsLists[i] as unknown[])[c];
  return { data: plain, width: 0 };
}

/**
 * Argument lists of equal length as columns (each packed if numeric), or
 * `undefined` when they differ in length, are too few, or take no arguments.
 */
export function toColumns(argsLists: readonly unknown[][]): Array<unknown[] | Float64Array> | undefined {
  const n = argsLists.length;
  if (n < MIN_COLUMNS) return undefined;
  const k = (argsLists[0] as unknown[]).length;
  if (k === 0 || k > MAX_COLUMN_ARGS) return undefined;
  const columns: unknown[][] = [];
  for (let c = 0; c < k; c++) columns.push([]);
  for (let i = 0; i < n; i++) {
    const args = argsLists[i] as unknown[];
    if (args.length !== k) return undefined;
    for (let c = 0; c < k; c++) (columns[c] as unknown[]).push(args[c]);
  }
  return columns.map(packNumbers);
}

/** Number of calls in a job. */
export function jobLength(job: Job): number {
  if (job.columns) {
    const width = job.columnRowWidths?.[0] || 1;
    return (job.columns[0]?.length ?? 0) / width;
  }
  return job.items.length / (job.rowWidth || 1);
}

/** Fewest rows worth packing as a matrix. */
const MIN_ROWS = 16;
/** Widest row packed as a matrix. */
const MAX_ROW_WIDTH = 1024;

/**
 * Items that are all arrays of the same number (1–1024) of numbers, as one
 * Float64Array matrix (row after row), or `undefined`. Structured clone copies
 * the matrix as one block: several times cheaper than many small arrays, and
 * every number crosses exactly.
 */
export function packRows(
  items: readonly unknown[],
  start = 0,
  end = items.length,
): { data: Float64Array; width: number } | undefined {
  const n = end - start;
  if (n < MIN_ROWS) return undefined;
  const first = items[start];
  if (!Array.isArray(first)) return undefined;
  const width = first.length;
  if (width === 0 || width > MAX_ROW_WIDTH) return undefined;
  const data = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = items[start + i];
    if (!Array.isArray(row) || row.length !== width) return undefined;
    const offset = i * width;
    for (let j = 0; j < width; j++) {
      const x = row[j];
      if (typeof x !== 'number') return undefined; // also a hole
      data[offset + j] = x;
    }
  }
  return { data, width };
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

/**
 * `items[start..end)` as it travels, in one pass and without an intermediate
 * copy: numbers as a Float64Array, rows of numbers as a matrix (`rowWidth`),
 * anything else as an array.
 */
export function packRange(
  items: readonly unknown[],
  start: number,
  end: number,
): { items: unknown[] | Float64Array; rowWidth?: number } {
  if (typeof items[start] === 'number') return { items: packNumberRange(items, start, end) };
  const rows = packRows(items, start, end);
  return rows ? { items: rows.data, rowWidth: rows.width } : { items: items.slice(start, end) };
}

/** A chunk of items as it travels: numbers as a Float64Array, rows of numbers as a matrix, or as they are. */
export function packItems(items: readonly unknown[] | Float64Array): {
  items: readonly unknown[] | Float64Array;
  rowWidth?: number;
} {
  if (!Array.isArray(items)) return { items };
  const rows = packRows(items);
  return rows ? { items: rows.data, rowWidth: rows.width } : { items: items as readonly unknown[] };
}

/** Results that are all short tuples of numbers (`[i, count]`), sent as one Float64Array per position. */
export interface PackedTuples {
  readonly packed: 'tuples';
  readonly columns: Float64Array[];
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
