/** How the limit packs rows of numbers: one Float64Array per chunk, transferred (not copied) to its worker. */

/** Rows `from`..`to` (excluded) of equal `width`, packed row after row. */
export function packRows(
  rows: readonly (readonly number[])[],
  from: number,
  to: number,
  width: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array((to - from) * width);
  let k = 0;
  for (let r = from; r < to; r++) {
    const row = rows[r] as readonly number[];
    for (let c = 0; c < width; c++) out[k++] = row[c] as number;
  }
  return out;
}

/** Like packRows, for rows that are argument `column` of argument tuples (starmap's input). */
export function packRowsOf(
  args: readonly (readonly unknown[])[],
  column: number,
  from: number,
  to: number,
  width: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array((to - from) * width);
  let k = 0;
  for (let r = from; r < to; r++) {
    const row = (args[r] as readonly unknown[])[column] as readonly number[];
    for (let c = 0; c < width; c++) out[k++] = row[c] as number;
  }
  return out;
}

/** Column `column` of argument tuples `from`..`to` (excluded), as numbers. */
export function packColumn(
  args: readonly (readonly unknown[])[],
  column: number,
  from: number,
  to: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array(to - from);
  for (let r = from; r < to; r++) out[r - from] = (args[r] as readonly unknown[])[column] as number;
  return out;
}

/** Numbers `from`..`to` (excluded). */
export function packNumbers(xs: readonly number[], from: number, to: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = xs[i] as number;
  return out;
}

/**
 * An array for `n` results that are not all small integers, kept as raw
 * doubles from the start. `new Array(n)` is made for small integers, and V8
 * copies it whole into a new store of doubles at the first larger number.
 */
export function doublesArray(n: number): number[] {
  const out = [0.5]; // (a literal of a fraction: elements kept as doubles)
  out.length = n;
  return out;
}

/** Copies a chunk's packed results into `out` from `offset`. */
export function unpackInto(out: number[], offset: number, values: Float64Array): void {
  const n = values.length; // (read once: read per item, the loop is about twice as slow)
  for (let i = 0; i < n; i++) out[offset + i] = values[i] as number;
}
