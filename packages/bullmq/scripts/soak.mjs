#!/usr/bin/env node
/**
 * Redis stays clean, at scale: a local cluster (its own redis-server, 2 hosts), a warm-up map,
 * then `--chunks` one-item chunks (default 100,000) and a SIGKILLed caller; prints DBSIZE and
 * Redis's used memory at the baseline, after the map, and until both are back (or --wait ms).
 *
 *   node scripts/soak.mjs [--chunks 100000] [--wait 120000]   (after `pnpm build`)
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createPool } from '../dist/index.js';
import { startLocalCluster } from '../dist/local-cluster.js';
import { soakTasks } from './soak-tasks.mjs';

const { values } = parseArgs({
  options: { chunks: { type: 'string', default: '100000' }, wait: { type: 'string', default: '120000' } },
});
const chunks = Number(values.chunks);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cluster = await startLocalCluster({ root, hosts: 2 });
const admin = new Redis(cluster.url);
const state = async () => {
  const keys = (await admin.keys('*')).filter((key) => !key.endsWith(':stalled-check')).sort();
  const memory = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
  return { keys, dbsize: await admin.dbsize(), memory };
};
const show = (label, s, t0) =>
  console.log(
    `${label}: DBSIZE ${s.dbsize} (${s.keys.length} without stalled-check), used_memory ${(s.memory / 1024).toFixed(0)} KiB${t0 ? `, ${((Date.now() - t0) / 1000).toFixed(1)} s` : ''}`,
  );
const waitBack = async (label, baseline) => {
  const t0 = Date.now();
  let s = await state();
  while (
    (s.keys.join() !== baseline.keys.join() || s.memory > baseline.memory + 512 * 1024) &&
    Date.now() - t0 < Number(values.wait)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    s = await state();
  }
  show(label, s, t0);
  return s.keys.join() === baseline.keys.join();
};
try {
  const map = async (n) => {
    const pool = createPool({ connection: cluster.url, queue: cluster.queue, root });
    const items = Array.from({ length: n }, (_, i) => i);
    const t0 = Date.now();
    const out = await pool.map(soakTasks.identity, items, { chunksize: 1 });
    if (out.length !== n || out.some((v, i) => v !== i)) throw new Error('wrong results');
    pool.close();
    await pool.join();
    return (Date.now() - t0) / 1000;
  };
  await map(500);
  const baseline = await state();
  show('baseline (after a warm-up of 500 chunks)', baseline);
  const seconds = await map(chunks);
  console.log(`${chunks} chunks in ${seconds.toFixed(1)} s (${(chunks / seconds).toFixed(0)} chunks/s)`);
  show('right after close()', await state());
  const clean = await waitBack('back to the baseline keys', baseline);
  // A caller killed mid-map, with 5,000 chunks queued.
  const script = `import { createPool } from '${new URL('../dist/index.js', import.meta.url).href}';
import { soakTasks } from '${new URL('./soak-tasks.mjs', import.meta.url).href}';
const pool = createPool({ connection: '${cluster.url}', queue: '${cluster.queue}', root: '${root}', callerTimeout: 3000, processes: 5000 });
pool.map(soakTasks.identity, Array.from({ length: 5000 }, (_, i) => i), { chunksize: 1 });
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1500);`;
  const caller = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  await new Promise((resolve) => caller.once('exit', resolve));
  show('a caller SIGKILLed mid-map', await state());
  const cleanAfterKill = await waitBack('back to the baseline keys after the killed caller', baseline);
  console.log(clean && cleanAfterKill ? 'clean' : 'NOT clean');
} finally {
  admin.disconnect();
  await cluster.stop();
}
