/**
 * Redis stays clean: after thousands of chunks and after a killed caller, the keys are the
 * baseline's (no result streams, cancel keys or BullMQ job hashes left behind) and the memory
 * Redis uses is back near the baseline's. Its own redis-server, so nothing else counts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@parapool/conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { type RedisServer, startRedis } from './support/redis-server.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

/** Memory Redis may hold above the baseline once clean (allocator slack, the bounded event stream). */
const SLACK = 512 * 1024;

let redis: RedisServer;
let admin: Redis;
let host: HostProcess;
const dirs: string[] = [];
const QUEUE = 'clean';

/** The keys (BullMQ's stalled-check key comes and goes with its timer: left out) and used memory. */
async function state(): Promise<{ keys: string[]; memory: number; dbsize: number }> {
  const keys = (await admin.keys('*')).filter((key) => !key.endsWith(':stalled-check')).sort();
  const info = await admin.info('memory');
  const memory = Number(/used_memory:(\d+)/.exec(info)?.[1]);
  return { keys, memory, dbsize: await admin.dbsize() };
}

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  const root = faultRoot('clean');
  dirs.push(root);
  host = await startHost({ redis: redis.url, queue: QUEUE, root, concurrency: 2 });
});
afterAll(async () => {
  await host?.kill('SIGKILL');
  admin?.disconnect();
  await redis?.dispose();
  for (const dir of dirs) removeRoot(dir);
});

it('after 3,000 chunks and after a killed caller, the keys are the baseline ones and memory is back near it', async () => {
  const run = async (n: number) => {
    const pool = createPool({ connection: redis.url, queue: QUEUE, root: CALLER_ROOT });
    const items = Array.from({ length: n }, (_, i) => i);
    expect(await pool.map(faultTasks.identity, items, { chunksize: 1 })).toEqual(items);
    pool.close();
    await pool.join();
  };
  await run(200); // the warm-up: BullMQ's own keys of the queue exist from here on
  const baseline = await state();
  expect(baseline.keys.some((key) => key.includes(':pp:results:'))).toBe(false);

  await run(3000);
  // After close(), at once: the pool deleted its keys; each job was removed as it completed.
  const after = await state();
  expect(after.keys).toEqual(baseline.keys);
  expect(after.memory).toBeLessThan(baseline.memory + SLACK);

  // A caller SIGKILLed mid-map (callerTimeout 1 s): the host stops its running chunks, drops its
  // waiting ones, and the result stream expires 4 × callerTimeout (at least 10 s) after the last report.
  const dir = mkdtempSync(join(tmpdir(), 'parapool-clean-'));
  dirs.push(dir);
  const caller = spawn(
    process.execPath,
    [join(CALLER_ROOT, 'test', 'fixtures', 'caller.mjs'), redis.url, QUEUE, CALLER_ROOT, dir],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => caller.once('exit', resolve));
  await until(() => readdirSync(dir).length > 0, 30_000, 'the first chunk to start');
  caller.kill('SIGKILL');
  await exited;
  let last = await state();
  const deadline = Date.now() + 60_000;
  while (last.keys.join() !== baseline.keys.join() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await state();
  }
  expect(last.keys).toEqual(baseline.keys);
  expect(last.memory).toBeLessThan(baseline.memory + SLACK);
});
