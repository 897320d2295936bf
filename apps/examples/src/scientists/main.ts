/**
 * Seed 000: an immutable list of records, transformed in parallel with `map`
 * in functional style; then the closure pitfall from the seed's comments and
 * its fix.
 *
 *   pnpm --filter @parapool/examples scientists -- --backend child-process [--delay 1000]
 */
import { cpuCount } from '@parapool/core';
import { exampleArgs, report } from '../cli.js';
import { scientists } from './data.js';
import { type Scientist, tasks } from './tasks.js';

const { createPool, backend, options } = await exampleArgs({ delay: 1000 });

await using pool = createPool({ processes: cpuCount(), initializer: tasks.configure, initargs: [options.delay] });
console.log(`${pool.processes} workers on ${backend}`);

const start = performance.now();
const result = await pool.map(tasks.transform, scientists);
console.log(`\nTime to complete: ${((performance.now() - start) / 1000).toFixed(2)}s\n`);
report('result', result);

// The pitfall: an inline function is sent to the worker as source text, so
// it cannot see variables of the scope it was written in.
const thisYear = 2017;
try {
  await pool.map((x: Scientist) => ({ name: x.name, age: thisYear - x.born }), scientists);
} catch (error) {
  console.log(`\nThe pitfall fails with:\n  ${(error as Error).name}: ${(error as Error).message}\n`);
}

// The fix: pass the value as an argument (or move the function into a task module, as `transform` is).
const fixed = await pool.starmap(
  (x: Scientist, year: number) => ({ name: x.name, age: year - x.born }),
  scientists.map((x): [Scientist, number] => [x, thisYear]),
);
report('fixed', fixed);
