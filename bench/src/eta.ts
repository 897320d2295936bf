/**
 * How long the rest of a run will take: every run of the plan is estimated by
 * the last time the same case took (rounds repeat the same cases), or by the
 * mean of all runs so far for a case not yet seen, then scaled by how much
 * wall time the runs so far took beyond their own time (pools starting,
 * garbage collection, the Python reference).
 */
export class Eta {
  readonly #left = new Map<string, number>();
  readonly #last = new Map<string, number>();
  #runMs = 0;
  #runs = 0;
  #timedRuns = 0;
  #total = 0;

  /** `keys`: one per planned run (the same key for each round of a case). */
  constructor(keys: Iterable<string>) {
    for (const key of keys) {
      this.#left.set(key, (this.#left.get(key) ?? 0) + 1);
      this.#total++;
    }
  }

  /** Runs planned in all. */
  get total(): number {
    return this.#total;
  }

  /** Runs done (or skipped). */
  get done(): number {
    return this.#runs;
  }

  /** One run of `key` is over; it took `ms` (0 for a skipped run). */
  record(key: string, ms: number): void {
    const left = this.#left.get(key) ?? 0;
    if (left > 1) this.#left.set(key, left - 1);
    else this.#left.delete(key);
    this.#runs++;
    if (ms > 0) {
      this.#last.set(key, ms);
      this.#runMs += ms;
      this.#timedRuns++;
    }
  }

  /** Estimated milliseconds left, given the wall time elapsed so far; undefined before the first run. */
  remainingMs(elapsedMs: number): number | undefined {
    if (this.#timedRuns === 0 || this.#runMs === 0) return undefined;
    const mean = this.#runMs / this.#timedRuns;
    let left = 0;
    for (const [key, count] of this.#left) left += count * (this.#last.get(key) ?? mean);
    return left * Math.max(1, elapsedMs / this.#runMs);
  }
}

/** '3 min 20 s', '45 s'. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
