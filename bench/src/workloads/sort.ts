import { randomFor } from '../inputs.js';
import { tasks } from '../tasks.js';
import { compareNumbers, digest } from '../verify.js';
import { mergeSorted } from '../work.js';
import { caseMaker, type Workload } from '../workload.js';
import { writeFloat64 } from './python-inputs.js';

/** Splits `data` into `parts` contiguous copies. */
function split(data: Float64Array, parts: number): Float64Array[] {
  const size = Math.ceil(data.length / parts);
  const out: Float64Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.slice(i, i + size));
  return out;
}

/** Seed 002: sort by sorting parts in parallel and merging — data-heavy. */
export const sortWorkload: Workload = {
  name: 'sort',
  title: 'sort',
  description:
    'Random float64 numbers (a Float64Array) sorted by splitting into one part per process, sorting the parts in workers (map, chunksize 1) and merging them in the main thread; against sorting a copy of the whole array. Moves the data both ways, so it measures transfer cost as much as parallelism.',
  sharedPool: true,
  async prepare({ sizes, processes, seed, scratch, python }) {
    const random = randomFor(seed, 'sort');
    const data = new Float64Array(sizes.sortItems);
    for (let i = 0; i < data.length; i++) data[i] = random.float();
    const expected = data.slice().sort();
    const same = (value: unknown) => compareNumbers(value, expected);
    const make = caseMaker(data.length, same);
    return {
      sequential: [make('sort-copy', 'sort a copy', () => data.slice().sort())],
      forPool: ({ pool }) => [
        make('sort-parts', 'sort parts + merge', async () =>
          mergeSorted(await pool!.map(tasks.sortPart, split(data, processes), { chunksize: 1 })),
        ),
      ],
      forRaw: ({ pool }) => [
        make('sort-parts', 'sort parts + merge', async () =>
          mergeSorted((await pool!.map('sortPart', split(data, processes), 'item')) as Float64Array[]),
        ),
      ],
      python: python
        ? {
            config: { data: await writeFloat64(scratch, 'sort-data', data) },
            expected: { 'sort-copy': digest(expected), 'sort-parts': digest(expected) },
          }
        : undefined,
    };
  },
};
