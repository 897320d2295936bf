/**
 * The work itself: plain functions shared by the sequential reference, the
 * parapool task module (tasks.ts) and the raw-library workers (raw/*), so
 * every column runs the very same code.
 */
import { describeError, errorLine } from './errors.js';

/** Seed 001: how many values of `row` lie in [minimum, maximum]. */
export function howmany(row: readonly number[], minimum: number, maximum: number): number {
  let count = 0;
  for (const n of row) if (minimum <= n && n <= maximum) count++;
  return count;
}

/** Seed 001's `howmany_within_range_rowonly`: the range fixed at [4, 8], for map. */
export function howmanyRow(row: readonly number[]): number {
  return howmany(row, 4, 8);
}

/** Seed 001's `howmany_within_range2`: returns the row's index with the count, for applyAsync callbacks. */
export function howmanyIndexed(i: number, row: readonly number[], minimum: number, maximum: number): [number, number] {
  return [i, howmany(row, minimum, maximum)];
}

/** Seed 002: the per-item overhead probe. */
export function square(n: number): number {
  return n * n;
}

/**
 * Pure computation of a chosen length: `iterations` rounds of xorshift32 from
 * `seed`. Returns the final state so the work cannot be optimised away and the
 * answer can be checked.
 */
export function spin(item: readonly [seed: number, iterations: number]): number {
  let x = item[0] | 0 || 1;
  const n = item[1];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/** Sorts one part of the data (the worker received its own copy). */
export function sortPart(part: Float64Array): Float64Array {
  return part.sort();
}

/**
 * Seed 000: fetches one URL of the local test server and returns the number in
 * its body. A failure names the URL and its causes in the message too, because
 * an error's `cause` does not survive every way back from a worker.
 */
export async function fetchValue(url: string): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const { error: what, causes } = describeError(error);
    throw new Error(`GET ${url}: ${errorLine(what, causes)}`, { cause: error });
  }
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return Number(await response.text());
}

/** What the test server answers for item `i` (the io-bound workload's expected values). */
export function serverValue(i: number): number {
  return (Math.imul(i, 2654435761) >>> 0) % 1000003;
}

/** Merges sorted parts into one sorted array (pairwise, two at a time). */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  let level = parts.slice();
  if (level.length === 0) return new Float64Array(0);
  while (level.length > 1) {
    const next: Float64Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i] as Float64Array;
      const b = level[i + 1];
      next.push(b ? mergeTwo(a, b) : a);
    }
    level = next;
  }
  return level[0] as Float64Array;
}

function mergeTwo(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x <= y) {
      out[k++] = x;
      i++;
    } else {
      out[k++] = y;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}

/** The unary functions the map-style workloads use, by name (the raw-library workers expose these). */
export const unaryWork = { howmanyRow, square, spin, sortPart, fetchValue, sumArray } as const;

/** Names of the unary functions. */
export type UnaryWorkName = keyof typeof unaryWork;

/** A function over a whole chunk of items: what a raw library runs per hand-made chunk. */
export function overChunk<T, R>(fn: (item: T) => R): (items: readonly T[]) => R[] | Promise<Awaited<R>[]> {
  return (items) => {
    const out = items.map(fn);
    return out.length > 0 && out[0] instanceof Promise ? Promise.all(out) : out;
  };
}

/**
 * What every raw-library worker file exposes (each the way its library wants):
 * the unary functions by name, and a `…Chunk` form of each map-style one that
 * takes a hand-made chunk of items.
 */
export const rawWorkerFunctions = {
  ...unaryWork,
  howmanyRowChunk: overChunk(howmanyRow),
  squareChunk: overChunk(square),
  spinChunk: overChunk(spin),
  sortPartChunk: overChunk(sortPart),
  fetchValueChunk: overChunk(fetchValue),
} as const;

/**
 * howmany over rows packed into one Float64Array (`width` numbers a row): the
 * limit's form of `howmanyRow`, with no array per row. Returns one count per row.
 */
export function howmanyPacked(
  rows: Float64Array,
  width: number,
  minimum: number,
  maximum: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array(rows.length / width);
  for (let r = 0, i = 0; r < out.length; r++) {
    let count = 0;
    for (const end = i + width; i < end; i++) {
      const n = rows[i] as number;
      if (minimum <= n && n <= maximum) count++;
    }
    out[r] = count;
  }
  return out;
}

/** howmanyPacked with a range per row (starmap's argument columns, packed). */
export function howmanyPackedArgs(
  rows: Float64Array,
  width: number,
  minimums: Float64Array,
  maximums: Float64Array,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array(minimums.length);
  for (let r = 0, i = 0; r < out.length; r++) {
    const minimum = minimums[r] as number;
    const maximum = maximums[r] as number;
    let count = 0;
    for (const end = i + width; i < end; i++) {
      const n = rows[i] as number;
      if (minimum <= n && n <= maximum) count++;
    }
    out[r] = count;
  }
  return out;
}

/** Squares every number in place (the limit's form of `square` over a chunk). */
export function squareInPlace(xs: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  for (let i = 0; i < xs.length; i++) xs[i] = square(xs[i] as number);
  return xs;
}

/** shared-memory: the sum of `data[start..end)`, in index order. */
export function sumRange(data: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += data[i] as number;
  return sum;
}

/** shared-memory: the sum of the whole array. */
export function sumArray(data: Float64Array): number {
  return sumRange(data, 0, data.length);
}
