/**
 * Watching a pool work (what mpire offers Python users): a progress bar,
 * worker events and the insights summary.
 *
 *   pnpm --filter @parapool/examples watch -- --backend tinypool
 */
import { formatInsights, type WorkerEvent } from '@parapool/core';
import { exampleArgs, report } from '../cli.js';
import { tasks } from './tasks.js';

const { createPool, backend, options } = await exampleArgs({ n: 400, recycle: 25 });

await using pool = createPool({ processes: 2, maxtasksperchild: options.recycle });

// Every worker event, on stderr: the same shape on every backend.
const log = (event: WorkerEvent) => {
  const more = event.replacement ? ` -> worker ${event.replacement.id} (${event.reason})` : '';
  console.error(`[${event.type}] worker ${event.worker.id}${more}`);
};
for (const name of ['workerStart', 'workerExit', 'workerCrash', 'workerRecycle', 'workerReplace'] as const) {
  pool.on(name, log);
}

const inputs = Array.from({ length: options.n }, (_, i) => 10_000 + (i % 50) * 1_000);
const sums = await pool.map(tasks.sumOfSquares, inputs, { chunksize: 4, progress: { label: 'sum of squares' } });

const insights = pool.insights();
console.error(formatInsights(insights));
console.log(`${pool.processes} workers on ${backend}`);
report('items', insights.items);
report('recycled', insights.replacements.recycle);
report('first', sums.slice(0, 3));
