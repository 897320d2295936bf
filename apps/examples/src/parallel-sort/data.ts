import { seededRandom } from '../cli.js';

/** `size` random 31-bit integers, the same on every run. */
export function makeData(size: number): Int32Array {
  const random = seededRandom(2);
  return Int32Array.from({ length: size }, () => Math.floor(random() * 2 ** 31));
}
