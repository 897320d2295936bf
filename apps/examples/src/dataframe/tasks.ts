import { defineTasks } from '@parapool/core';
import { tableFromArrays } from 'apache-arrow';

/** The row function: what pandas' `df.apply(hypotenuse, axis=1)` calls per row. */
export function hypotenuse(row: { a: number; b: number }): number {
  return Math.hypot(row.a, row.b);
}

/** A table's columns as typed arrays: what travels to a worker. */
export interface Columns {
  a: Float64Array;
  b: Float64Array;
}

export const tasks = defineTasks(import.meta.url, {
  /**
   * Applies `hypotenuse` to rows [start, end) of the table made of `columns`
   * (an Arrow table over the same memory: no copy). With `out`, writes the
   * results there and returns how many; without, returns them.
   */
  applyRows: (columns: Columns, start: number, end: number, out?: Float64Array): Float64Array | number => {
    const rows = tableFromArrays({ a: columns.a, b: columns.b }).slice(start, end);
    const target = out ? out.subarray(start, end) : new Float64Array(end - start);
    let i = 0;
    for (const row of rows) target[i++] = hypotenuse(row);
    return out ? i : target;
  },
});
