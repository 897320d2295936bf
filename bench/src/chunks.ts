/**
 * Python's default chunksize for map: ceil(n / (4 * processes)). The raw
 * libraries are driven with the same chunks, so an adapter is compared with
 * its library doing the same work.
 */
export function defaultChunksizeOf(items: number, processes: number): number {
  return Math.max(1, Math.ceil(items / (4 * processes)));
}
