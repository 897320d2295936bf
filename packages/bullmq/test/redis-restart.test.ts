/** Redis restarted mid-map, with AOF on: the map completes and nothing is lost. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@parapool/conformance';
import { afterAll, expect, it } from 'vitest';
import { createPool } from '../dist/index.js';
import { FAST_RECOVERY, type HostProcess, startHost } from './support/hosts.js';
import { type RedisServer, startRedis } from './support/redis-server.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

let redis: RedisServer | undefined;
const hosts: HostProcess[] = [];
const cleanup: string[] = [];

afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.kill('SIGKILL')));
  await redis?.dispose();
  for (const dir of cleanup) removeRoot(dir);
});

it('Redis restarted mid-map (AOF on): running and queued chunks survive, the map completes in order', async () => {
  redis = await startRedis({ appendonly: true });
  const server = redis;
  const roots = [faultRoot('a'), faultRoot('b')];
  cleanup.push(...roots);
  for (const root of roots) {
    hosts.push(await startHost({ redis: server.url, queue: 'restart', root, concurrency: 1, args: FAST_RECOVERY }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'parapool-restart-'));
  cleanup.push(dir);
  // Four chunks in flight on two host slots: two run (held at a gate) and two wait in the queue, across the restart.
  await using pool = createPool({ connection: server.url, queue: 'restart', root: CALLER_ROOT, processes: 4 });
  const n = 12;
  const args = Array.from({ length: n }, (_, i) => [dir, i] as [string, number]);
  const mapped = pool.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
  const started = () => args.filter((_, i) => existsSync(join(dir, `run-${i}`))).length;
  await until(() => started() === 2, 30_000, 'a chunk running on each host');
  await server.stop();
  await server.start();
  writeFileSync(join(dir, 'gate'), '');
  const results = await mapped;
  expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
  expect(results.map((r) => r.i)).toEqual(args.map(([, i]) => i));
  expect(new Set(results.map((r) => r.pid))).toEqual(new Set(hosts.map((h) => h.pid)));
  rmSync(dir, { recursive: true, force: true });
});
