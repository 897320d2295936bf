/**
 * Stragglers: at the end of a map, with hosts idle, a chunk that runs far longer than its
 * siblings gets a copy on another host and the first result wins — only for tasks the pool
 * marks `idempotent`. The straggler here waits for a gate the test opens only at its end, so
 * the map can complete early only through the copy.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import { type BullmqPool, createPool } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const hosts: HostProcess[] = [];
const pools: BullmqPool[] = [];
const dirs: string[] = [];
let queues = 0;

afterEach(async () => {
  for (const dir of dirs) if (existsSync(dir)) writeFileSync(join(dir, 'gate'), '');
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
  await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});
afterAll(() => {
  for (const dir of dirs) removeRoot(dir);
});

async function setup(idempotent: boolean) {
  const queue = `stragglers-${process.pid}-${++queues}`;
  for (const label of ['a', 'b']) {
    const root = faultRoot(`straggler-${label}`);
    dirs.push(root);
    hosts.push(await startHost({ redis, queue, root, args: ['--heartbeat', '300'] }));
  }
  const pool = createPool({
    connection: redis,
    queue,
    root: CALLER_ROOT,
    processes: 2,
    ...(idempotent ? { idempotent: [faultTasks.stragglerOnce] } : {}),
  });
  pools.push(pool);
  await pool.ready();
  const dir = mkdtempSync(join(tmpdir(), 'parapool-straggler-'));
  dirs.push(dir);
  return { pool, dir };
}
const runsOf = (dir: string, i: number) =>
  existsSync(join(dir, `run-${i}`))
    ? readFileSync(join(dir, `run-${i}`), 'utf8')
        .trim()
        .split('\n')
        .map(Number)
    : [];

it('a task marked idempotent: the straggling last chunk runs again on the idle host, whose result is taken', async () => {
  const { pool, dir } = await setup(true);
  const n = 12;
  const slow = n - 1;
  const results = await pool.starmap(
    faultTasks.stragglerOnce,
    Array.from({ length: n }, (_, i) => [dir, i, slow] as [string, number, number]),
    { chunksize: 1 },
  );
  expect(results.map((r) => r.i)).toEqual(Array.from({ length: n }, (_, i) => i));
  // The straggler's first run is still waiting for the gate: the copy's result is the one delivered.
  expect(results[slow]?.run).toBe(2);
  const [first, second] = runsOf(dir, slow);
  expect(second).not.toBe(first);
  expect(results.filter((r) => r.i !== slow).every((r) => r.run === 1)).toBe(true);
});

it('a task not marked idempotent never runs twice for a straggler', async () => {
  const { pool, dir } = await setup(false);
  const n = 12;
  const slow = n - 1;
  const mapped = pool.starmap(
    faultTasks.stragglerOnce,
    Array.from({ length: n }, (_, i) => [dir, i, slow] as [string, number, number]),
    { chunksize: 1 },
  );
  // Every sibling is done and the straggler has run for several seconds, far past the copy threshold.
  const deadline = Date.now() + 60_000;
  while (Array.from({ length: slow }, (_, i) => runsOf(dir, i).length).some((runs) => runs === 0)) {
    if (Date.now() > deadline) throw new Error('the siblings did not run');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  expect(runsOf(dir, slow)).toHaveLength(1);
  writeFileSync(join(dir, 'gate'), '');
  const results = await mapped;
  expect(results[slow]?.run).toBe(1);
});
