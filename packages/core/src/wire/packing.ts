import type { Job } from './job.js';

/**
 * How a chunk travels cheaply. Chunks made only of numbers travel as a Float64Array: structured clone copies
 * it as one block instead of element by element (several times faster for the
 * big numeric chunks of `map`), and no number changes on the way (NaN, -0,
 * integers and fractions survive a float64 exactly).
 */

/** Below this many items, packing saves nothing worth its check. */
const MIN_PACKED = 64;

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

/** Fewest calls for which argument lists are sent as columns. */
const MIN_COLUMNS = 16;
/** Most arguments per call sent as columns. */
const MAX_COLUMN_ARGS = 8;

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
  return job.columns ? (job.columns[0]?.length ?? 0) : job.items.length;
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
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const tuple: number[] = [];
    for (const column of columns) tuple.push(column[i] as number);
    out.push(tuple);
  }
  return out;
}

/** True for a JobResult's values sent as PackedTuples. */
export function isPackedTuples(values: unknown): values is PackedTuples {
  return (values as PackedTuples | undefined)?.packed === 'tuples';
}
