import { randint, seededRandom } from '../cli.js';
import type { Columns } from './tasks.js';

/** A Float64Array in shared memory, so worker threads can read it without a copy. */
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** pandas: `pd.DataFrame(np.random.randint(3, 10, size=[rows, 2]), columns=['a', 'b'])`, as shared columns. */
export function makeColumns(rows: number): Columns {
  const random = seededRandom(1);
  const columns: Columns = { a: sharedFloat64(rows), b: sharedFloat64(rows) };
  for (let i = 0; i < rows; i++) {
    columns.a[i] = randint(random, 3, 10);
    columns.b[i] = randint(random, 3, 10);
  }
  return columns;
}
