import { seededRandom } from '../cli.js';

/** `size` random numbers in [0, 1), the same on every run, in a SharedArrayBuffer (or a plain one). */
export function makeData(size: number, shared: boolean): Float64Array {
  const random = seededRandom(13);
  const data = new Float64Array(shared ? new SharedArrayBuffer(size * 8) : new ArrayBuffer(size * 8));
  for (let i = 0; i < size; i++) data[i] = random();
  return data;
}
