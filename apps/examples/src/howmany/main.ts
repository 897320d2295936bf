/**
 * Seeds 001/004: count the numbers between 4 and 8 in each row of a
 * 200,000 × 5 table, the six ways the tutorial parallelizes it.
 *
 *   pnpm --filter @parapool/examples howmany -- --backend threads [--rows 200000] [--apply-rows 2000]
 */
import { type AsyncResult, cpuCount, formatInsights } from '@parapool/core';
import { checksum, exampleArgs, report } from '../cli.js';
import { makeData } from './data.js';
import { tasks } from './tasks.js';

const { createPool, backend, options, insights } = await exampleArgs({ rows: 200_000, 'apply-rows': 2_000 });

const data = makeData(options.rows);

/** What is printed for each way: the first counts, how many, and a checksum of all of them in order. */
const summary = (counts: number[]) => ({ rows: counts.length, first: counts.slice(0, 10), checksum: checksum(counts) });

report('cpuCount', cpuCount());
console.log(`backend: ${backend}`);

await using pool = createPool({ processes: cpuCount() });

// 1. apply: one call at a time, each waiting for its result (slow by design, as in Python).
const applied: number[] = [];
for (const row of data.slice(0, options['apply-rows']))
  applied.push(await pool.apply(tasks.howmanyWithinRange, [row, 4, 8]));
report('apply', summary(applied));

// 2. map with the one-argument variant.
report('map', summary(await pool.map(tasks.howmanyWithinRangeRowonly, data, { progress: { label: 'map' } })));

// 3. starmap: each item is an argument list.
report(
  'starmap',
  summary(
    await pool.starmap(
      tasks.howmanyWithinRange,
      data.map((row) => [row, 4, 8] as [number[], number, number]),
    ),
  ),
);

// 4. applyAsync with a callback, then sort by index (callbacks run in completion order).
const collected: Array<[number, number]> = [];
const pending = data.map((row, i) =>
  pool.applyAsync(tasks.howmanyWithinRange2, [i, row, 4, 8], { callback: (result) => collected.push(result) }),
);
await Promise.all(pending.map((result) => result.wait()));
collected.sort((x, y) => x[0] - y[0]);
report('applyAsync+callback', summary(collected.map(([, count]) => count)));

// 5. applyAsync, then get() each result.
const resultObjects: Array<AsyncResult<[number, number]>> = data.map((row, i) =>
  pool.applyAsync(tasks.howmanyWithinRange2, [i, row, 4, 8]),
);
const got: number[] = [];
for (const result of resultObjects) got.push((await result.get())[1]);
report('applyAsync+get', summary(got));

// 6. mapAsync / starmapAsync, then get().
const mapped = await pool.mapAsync(tasks.howmanyWithinRangeRowonly, data).get();
report('mapAsync', summary(mapped));
const starmapped = await pool
  .starmapAsync(
    tasks.howmanyWithinRange2,
    data.map((row, i) => [i, row, 4, 8] as [number, number[], number, number]),
  )
  .get();
report('starmapAsync', summary(starmapped.map(([, count]) => count)));
if (insights) console.error(formatInsights(pool.insights()));
