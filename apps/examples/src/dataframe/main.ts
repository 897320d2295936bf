/**
 * Seed 001's "parallelize a Pandas DataFrame": a parallel row-wise apply over
 * an Apache Arrow table, one row range per task.
 *
 * Thread backends get the columns in SharedArrayBuffers: every worker reads
 * the same memory and writes its rows of the result in place, nothing is
 * copied. Separate processes cannot share memory, so each task gets a copy of
 * its rows only, and sends its results back.
 *
 *   pnpm --filter @parapool/examples dataframe -- --backend threads [--rows 1000000]
 */
import { type Table, tableFromArrays } from 'apache-arrow';
import { checksum, exampleArgs, report } from '../cli.js';
import { makeColumns, sharedFloat64 } from './data.js';
import { type Columns, tasks } from './tasks.js';

const { createPool, backend, options } = await exampleArgs({ rows: 1_000_000, parts: 8 });

const columns = makeColumns(options.rows);
const df: Table = tableFromArrays({ a: columns.a, b: columns.b }); // wraps the arrays, no copy

await using pool = createPool();
const step = Math.ceil(options.rows / options.parts);
const ranges = Array.from(
  { length: options.parts },
  (_, p) => [p * step, Math.min(options.rows, (p + 1) * step)] as const,
);

let result: Float64Array;
if (pool.capabilities.separateProcesses) {
  // Copy each range's rows (slice, not subarray: cloning a view would send its whole buffer).
  console.log(`${backend}: separate processes, each task gets a copy of its rows`);
  const parts = await pool.starmap(
    tasks.applyRows,
    ranges.map(([start, end]): [Columns, number, number] => [
      { a: columns.a.slice(start, end), b: columns.b.slice(start, end) },
      0,
      end - start,
    ]),
  );
  result = new Float64Array(options.rows);
  for (const [p, [start]] of ranges.entries()) result.set(parts[p] as Float64Array, start);
} else {
  console.log(`${backend}: shared memory, columns and result are not copied`);
  result = sharedFloat64(options.rows);
  const out = result;
  await pool.starmap(
    tasks.applyRows,
    ranges.map(([start, end]): [Columns, number, number, Float64Array] => [columns, start, end, out]),
  );
}

// df['hypotenuse'] = ...
const withResult = df.assign(tableFromArrays({ hypotenuse: result }));
console.log(`${withResult.numRows} rows, columns ${withResult.schema.fields.map((f) => f.name).join(', ')}`);
console.log(withResult.slice(0, 3).toString());
report('hypotenuse', { rows: result.length, first: Array.from(result.subarray(0, 5)), checksum: checksum(result) });
