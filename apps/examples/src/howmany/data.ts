import { randint, seededRandom } from '../cli.js';

/** The tutorial's table: `np.random.RandomState(100)`, `np.random.randint(0, 10, size=[rows, 5]).tolist()`. */
export function makeData(rows: number): number[][] {
  const random = seededRandom(100);
  return Array.from({ length: rows }, () => Array.from({ length: 5 }, () => randint(random, 0, 10)));
}
