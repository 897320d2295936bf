/**
 * Python's default chunksize for map/starmap:
 * `ceil(n / (4 * processes))`, and 0 for an empty input.
 */
export function defaultChunksize(length: number, processes: number): number {
  if (length === 0) return 0;
  return Math.ceil(length / (4 * processes));
}

/** Validates a caller-supplied chunksize. */
export function checkChunksize(chunksize: unknown): number {
  if (chunksize === 'auto') {
    throw new RangeError(
      "chunksize 'auto' is for imap and imapUnordered; map and starmap already size chunks by Python's rule, ceil(n / (4 × processes)), or take an integer",
    );
  }
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new RangeError(`chunksize must be an integer ≥ 1 (got ${String(chunksize)})`);
  }
  return chunksize;
}
