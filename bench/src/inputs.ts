/**
 * Seeded inputs: every column of a run sees the same data, and a run can be
 * replayed with the same `--seed`.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of random numbers (xoroshiro128+). */
export class SeededRandom {
  readonly #rng;

  constructor(seed: number) {
    this.#rng = xoroshiro128plus(seed);
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    const n = uniformInt(this.#rng, from, to);
    // pure-rand returns heap numbers (6.0); `| 0` makes small integers what a JS
    // program's integers are (V8 small integers), which arrays store and clone faster.
    return from >= -(2 ** 31) && to < 2 ** 31 ? n | 0 : n;
  }

  /** A float in [0, 1). */
  float(): number {
    return uniformFloat64(this.#rng);
  }
}

/** Each workload gets its own stream, so selecting workloads does not change another's inputs. */
export function randomFor(seed: number, workload: string): SeededRandom {
  let h = seed | 0;
  for (let i = 0; i < workload.length; i++) h = Math.imul(h ^ workload.charCodeAt(i), 0x9e3779b1);
  return new SeededRandom(h);
}
