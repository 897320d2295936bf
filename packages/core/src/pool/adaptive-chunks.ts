/**
 * `chunksize: 'auto'` for imap/imapUnordered: chunks start at one item (so the
 * first results come at once, and an endless input works) and grow while each
 * chunk's fixed cost — moving it to a worker and back — is large against the
 * work in it, until that cost is at most a tenth of the work.
 */
export class AdaptiveChunks {
  /** The fixed cost per chunk may be at most this share of the chunk's work. */
  static readonly overheadShare = 0.1;
  /** A chunk grows at most this much per finished chunk. */
  static readonly growth = 2;
  static readonly max = 4096;

  #size = 1;
  #perItemMs: number | undefined;
  #overheadMs: number | undefined;

  /** Items in the next chunk. */
  get size(): number {
    return this.#size;
  }

  /**
   * Learns from a finished chunk: `items` run in `workMs` (in the worker), with
   * `roundTripMs` from reaching a worker to the result's arrival.
   */
  observe(items: number, workMs: number, roundTripMs: number): void {
    if (items <= 0) return;
    const perItem = workMs / items;
    const overhead = Math.max(0, roundTripMs - workMs);
    // Smoothed, so one noisy chunk does not swing the size.
    this.#perItemMs = this.#perItemMs === undefined ? perItem : 0.7 * this.#perItemMs + 0.3 * perItem;
    this.#overheadMs = this.#overheadMs === undefined ? overhead : 0.7 * this.#overheadMs + 0.3 * overhead;
    const wanted =
      this.#perItemMs > 0 ? this.#overheadMs / (AdaptiveChunks.overheadShare * this.#perItemMs) : AdaptiveChunks.max;
    const next = Math.min(
      AdaptiveChunks.max,
      Math.max(1, Math.ceil(wanted - 1e-6)),
      this.#size * AdaptiveChunks.growth,
    );
    // Grow towards what is wanted; shrink only when chunks are far too long (items got slower).
    if (next > this.#size || wanted * 4 < this.#size) this.#size = Math.max(1, next);
  }
}
