/**
 * Python's default chunksize for map/starmap:
 * `ceil(n / (4 * processes))`, and 0 for an empty input.
 */
export function defaultChunksize(length: number, processes: number): number {
  if (length === 0) return 0;
  return Math.ceil(length / (4 * processes));
}

/** Validates a caller-supplied chunksize other than `'auto'`. */
export function checkChunksize(chunksize: unknown): number {
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new RangeError(`chunksize must be an integer ≥ 1 or 'auto' (got ${String(chunksize)})`);
  }
  return chunksize;
}
