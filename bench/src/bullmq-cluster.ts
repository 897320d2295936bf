/**
 * `--backends bullmq`: a cluster on this machine for the bench — its own
 * redis-server (free port, temporary directory, no persistence) and `--hosts`
 * parapool-worker processes sharing `--processes` slots (2 hosts × 1 on a
 * 2-core machine). Started on first use, stopped when the bench exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PoolOptions } from '@parapool/core';
import type { LoadedBackend } from './backends.js';
import { benchDir } from './paths.js';

let settings = { hosts: 2, processes: 2 };

/** Sets how many hosts the cluster has and how many slots they share (from the command line). */
export function configureBullmqCluster(next: { hosts: number; processes: number }): void {
  settings = next;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const children: ChildProcess[] = [];
let scratch: string | undefined;
process.once('exit', () => {
  // Hosts first (they are disposable), then Redis.
  for (const child of children.slice().reverse())
    child.kill(child.spawnfile === 'redis-server' ? 'SIGTERM' : 'SIGKILL');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Waits until `check()` resolves true, or throws after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts Redis and the hosts, and gives a createPool bound to them; never throws. */
export async function loadBullmq(): Promise<LoadedBackend> {
  let bullmq: typeof import('@parapool/bullmq');
  try {
    bullmq = await import('@parapool/bullmq');
  } catch (error) {
    return { name: 'bullmq', available: false, reason: `@parapool/bullmq failed to load: ${(error as Error).message}` };
  }
  try {
    scratch = mkdtempSync(join(tmpdir(), 'parapool-bench-redis-'));
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', scratch, '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      redis.once('spawn', resolve);
      redis.once('error', reject);
    });
    await spawned.catch((error: Error) => {
      throw new Error(
        `redis-server could not start (${error.message}): install Redis 7 (apt-get install -y redis-server)`,
      );
    });
    redis.unref();
    children.push(redis);
    const probe = bullmq.createPool({
      connection: url,
      queue: 'bench',
      root: benchDir,
      processes: 1,
      redisTimeout: 10_000,
    });
    try {
      await probe.ready();
      const cli = join(
        dirname(createRequire(import.meta.url).resolve('@parapool/bullmq/package.json')),
        'dist',
        'cli.js',
      );
      const concurrency = Math.max(1, Math.floor(settings.processes / settings.hosts));
      for (let i = 0; i < settings.hosts; i++) {
        const host = spawn(
          process.execPath,
          [
            cli,
            '--redis',
            url,
            '--queue',
            'bench',
            '--root',
            benchDir,
            '--concurrency',
            String(concurrency),
            '--allow-inline',
          ],
          { stdio: 'ignore' },
        );
        host.unref();
        children.push(host);
      }
      await until(
        async () => probe.hosts().length === settings.hosts,
        30_000,
        `${settings.hosts} hosts announcing themselves`,
      );
    } finally {
      await probe.terminate();
    }
    return {
      name: 'bullmq',
      available: true,
      createPool: (options: PoolOptions) =>
        bullmq.createPool({ ...options, connection: url, queue: 'bench', root: benchDir }),
    };
  } catch (error) {
    return { name: 'bullmq', available: false, reason: (error as Error).message };
  }
}
