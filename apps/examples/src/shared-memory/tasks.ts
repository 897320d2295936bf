import { defineTasks, transfer } from '@parapool/core';

/** Number of bins of the histogram: values in [0, 1) fall in bin `floor(value * BINS)`. */
export const BINS = 10;

/** The bin counts of `data[start..end)`, in a plain array. */
export function countRange(data: Float64Array, start: number, end: number): number[] {
  const local = new Array<number>(BINS).fill(0);
  for (let i = start; i < end; i++) local[Math.min(BINS - 1, Math.floor((data[i] as number) * BINS))]! += 1;
  return local;
}

export const tasks = defineTasks(import.meta.url, {
  /**
   * Counts `data[start..end)` into the shared `bins` (an Int32Array over a
   * SharedArrayBuffer that every worker sees): counted locally first, then
   * added with one `Atomics.add` per bin, so workers adding at once lose nothing.
   */
  countIntoShared(data: Float64Array, bins: Int32Array, start: number, end: number): number {
    const local = countRange(data, start, end);
    for (let b = 0; b < BINS; b++) Atomics.add(bins, b, local[b] as number);
    return end - start;
  },
  /** Without shared memory (worker processes): the counts of a copy of one range, sent back. */
  countCopy: (part: Float64Array) => countRange(part, 0, part.length),
  /** Scales `data` in place and moves it back to the caller (no copy on a thread backend). */
  scaleInPlace(data: Float64Array, factor: number): Float64Array {
    for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) * factor;
    return transfer(data);
  },
});
