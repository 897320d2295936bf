/**
 * `pnpm bench:bullmq`: @parapool/bullmq against its engine, in one run on one Redis (a local
 * cluster: its own redis-server, 2 parapool-worker hosts × 1 slot):
 *
 * - raw BullMQ: jobs/s of empty processors in 2 worker processes tuned for throughput (concurrency
 *   --raw-concurrency each, jobs added with addBulk): the engine's limit here;
 * - parapool: tiny chunks/s (`map` of one-item chunks of an identity task, `--inflight` chunks in flight);
 * - `apply` round trip: p50 and p90 of sequential calls;
 * - cpu-bound speedup: 32 chunks of 20 ms of CPU each, the 2 hosts against a loop here, and piscina
 *   (2 threads) in the same run for scale.
 *
 *   node dist/bullmq-engine.js [--jobs 20000] [--chunks 5000] [--applies 500] [--inflight 64] [--raw-concurrency 50]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPool } from '@parapool/bullmq';
import { startLocalCluster } from '@parapool/bullmq/local-cluster';
import { createPool as createPiscinaPool } from '@parapool/piscina';
import { bullmqModule } from './bullmq-engine-lib.js';
import { engineTasks } from './bullmq-engine-tasks.js';
import { benchDir } from './paths.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    chunks: { type: 'string', default: '5000' },
    applies: { type: 'string', default: '500' },
    inflight: { type: 'string', default: '64' },
    'raw-concurrency': { type: 'string', default: '50' },
  },
});
const JOBS = Number(values.jobs);
const CHUNKS = Number(values.chunks);
const APPLIES = Number(values.applies);
const INFLIGHT = Number(values.inflight);
const RAW_CONCURRENCY = Number(values['raw-concurrency']);

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Raw BullMQ: 2 worker processes with empty processors drain JOBS jobs. */
async function rawBullmq(url: string): Promise<number> {
  const { Queue } = await bullmqModule();
  const name = 'raw';
  const workerScript = fileURLToPath(new URL('./bullmq-engine-worker.js', import.meta.url));
  const workers = [0, 1].map(() =>
    spawn(process.execPath, [workerScript, url, name, String(RAW_CONCURRENCY)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.stdout?.once('data', () => resolve());
            worker.once('exit', (code) => reject(new Error(`a raw BullMQ worker exited (${code})`)));
          }),
      ),
    );
    const queue = new Queue(name, {
      connection: { url, maxRetriesPerRequest: null },
      streams: { events: { maxLen: 100 } },
    });
    const start = performance.now();
    const batch = 1000;
    for (let i = 0; i < JOBS; i += batch) {
      await queue.addBulk(
        Array.from({ length: Math.min(batch, JOBS - i) }, (_, j) => ({
          name: 'empty',
          data: { i: i + j },
          opts: { removeOnComplete: true },
        })),
      );
    }
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
      if (Object.values(counts).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const seconds = (performance.now() - start) / 1000;
    await queue.close();
    return JOBS / seconds;
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
  }
}

function sequentialSpin(n: number, ms: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const end = performance.now() + ms;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
  }
  return performance.now() - start;
}

const cluster = await startLocalCluster({
  root: benchDir,
  queue: 'engine',
  hosts: 2,
  concurrency: 1,
});
try {
  const rows: Array<[string, string, string]> = [];
  const raw = await rawBullmq(cluster.url);
  rows.push([
    `raw BullMQ: empty processors, 2 processes × concurrency ${RAW_CONCURRENCY}`,
    `${fmt(raw)} jobs/s`,
    `${JOBS} jobs, addBulk`,
  ]);

  const pool = createPool({ connection: cluster.url, queue: cluster.queue, root: benchDir, processes: INFLIGHT });
  await pool.ready();
  const items = Array.from({ length: CHUNKS }, (_, i) => i);
  await pool.map(engineTasks.identity, items.slice(0, 200), { chunksize: 1 }); // warm-up
  let start = performance.now();
  await pool.map(engineTasks.identity, items, { chunksize: 1 });
  const chunksPerSecond = CHUNKS / ((performance.now() - start) / 1000);
  rows.push([
    `parapool: tiny chunks, 2 hosts × 1, ${INFLIGHT} in flight`,
    `${fmt(chunksPerSecond)} chunks/s`,
    `${fmt(chunksPerSecond / raw, 2)}× raw (target ≥ 0.5×)`,
  ]);

  const times: number[] = [];
  for (let i = 0; i < APPLIES; i++) {
    const t = performance.now();
    await pool.apply(engineTasks.identity, [i]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  rows.push([
    'parapool: apply round trip',
    `p50 ${fmt(quantile(times, 0.5), 2)} ms`,
    `p90 ${fmt(quantile(times, 0.9), 2)} ms (target p50 ≤ 1 ms)`,
  ]);

  const n = 32;
  const ms = 20;
  const sequential = sequentialSpin(n, ms);
  start = performance.now();
  await pool.map(
    engineTasks.spin,
    Array.from({ length: n }, () => ms),
    { chunksize: 1 },
  );
  const onHosts = performance.now() - start;
  const spread = new Set(await pool.map(engineTasks.pid, [0, 1, 2, 3, 4, 5, 6, 7], { chunksize: 1 })).size;
  const piscina = createPiscinaPool({ processes: 2 });
  await piscina.map(engineTasks.spin, [1, 1]);
  start = performance.now();
  await piscina.map(
    engineTasks.spin,
    Array.from({ length: n }, () => ms),
    { chunksize: 1 },
  );
  const onThreads = performance.now() - start;
  await piscina.terminate();
  rows.push([
    `cpu-bound: ${n} × ${ms} ms, 2 hosts × 1`,
    `${fmt(sequential / onHosts, 2)}×`,
    `sequential ${fmt(sequential)} ms, hosts ${fmt(onHosts)} ms (target ≥ 1.9×; ${spread} hosts ran chunks)`,
  ]);
  rows.push([
    `cpu-bound: the same on piscina, 2 threads`,
    `${fmt(sequential / onThreads, 2)}×`,
    `${fmt(onThreads)} ms`,
  ]);
  await pool.terminate();

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `@parapool/bullmq against raw BullMQ (Node ${process.versions.node}, one redis-server, 2 hosts on this machine)`,
  );
  for (const [what, figure, note] of rows) console.log(`${what.padEnd(width)}  ${figure.padStart(18)}  ${note}`);
} finally {
  await cluster.stop();
}
