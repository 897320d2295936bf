/**
 * From one machine to many: the howmany seed (001/004) on a BullMQ queue,
 * served by parapool-worker hosts. The only change from the one-machine
 * version is the import of createPool (and where Redis is).
 *
 *   pnpm --filter @parapool/examples many-machines                      # its own Redis and 2 local hosts
 *   pnpm --filter @parapool/examples many-machines -- --redis redis://10.0.0.5:6379 --queue parapool
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPool } from '@parapool/bullmq';
import { startLocalCluster } from '@parapool/bullmq/local-cluster';
import { checksum, report } from '../cli.js';
import { makeData } from '../howmany/data.js';
import { tasks as howmany } from '../howmany/tasks.js';
import { tasks } from './tasks.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    redis: { type: 'string' },
    queue: { type: 'string', default: 'parapool-examples' },
    hosts: { type: 'string', default: '2' },
    rows: { type: 'string', default: '200000' },
  },
});
const queue = String(values.queue);
// Task modules are named by their path under this folder, on the caller and on every host.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Without --redis: its own redis-server and hosts on this machine, resolved once every host announced itself.
const cluster = values.redis
  ? undefined
  : await startLocalCluster({ queue, hosts: Number(values.hosts), root, output: 'inherit' });
try {
  await using pool = createPool({ connection: values.redis ?? (cluster?.url as string), queue, root });
  await pool.ready();
  // Without `processes`, the pool is as big as the hosts' announced --concurrency, added up.
  report('hosts', pool.hosts().length);
  report('processes', pool.processes);

  const rows = makeData(Number(values.rows));
  const counts = await pool.starmap(
    howmany.howmanyWithinRange,
    rows.map((row) => [row, 4, 8] as [number[], number, number]),
  );
  report('starmap', { rows: counts.length, first: counts.slice(0, 10), checksum: checksum(counts) });

  const where = await pool.map(
    tasks.whereAmI,
    Array.from({ length: 8 }, (_, i) => i),
    { chunksize: 1 },
  );
  report('workedOn', new Set(where).size);
  console.log(`work spread over: ${[...new Set(where)].join(', ')}`);
} finally {
  await cluster?.stop();
}
