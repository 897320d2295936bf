/**
 * Seed 002: square a list with a pool of 4.
 *
 *   pnpm --filter @parapool/examples square -- --backend tinypool
 */
import { exampleArgs, report } from '../cli.js';
import { tasks } from './tasks.js';

const { createPool, backend, options } = await exampleArgs({ n: 10 });

await using pool = createPool({ processes: 4 });
const squares = await pool.map(
  tasks.square,
  Array.from({ length: options.n }, (_, i) => i),
);
console.log(`${pool.processes} workers on ${backend}`);
report('squares', squares);
