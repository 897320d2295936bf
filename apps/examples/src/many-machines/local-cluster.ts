/**
 * For trying the example on one machine: a redis-server of its own (free
 * port, temporary directory, no persistence) and `hosts` parapool-worker
 * processes, as you would start them on several machines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface LocalCluster {
  readonly url: string;
  stop(): Promise<void>;
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

function started(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`${what} could not start: ${error.message}`)));
  });
}

function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

/** Starts Redis and the hosts (`parapool-worker --root root --concurrency 1`); they print to this terminal. */
export async function startLocalCluster(queue: string, hosts: number, root: string): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-example-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], {
    stdio: 'ignore',
  });
  await started(redis, 'redis-server (install Redis 7: apt-get install -y redis-server, or brew install redis)');
  const cli = join(dirname(createRequire(import.meta.url).resolve('@parapool/bullmq/package.json')), 'dist', 'cli.js');
  const workers = Array.from({ length: hosts }, () =>
    spawn(process.execPath, [cli, '--redis', url, '--queue', queue, '--root', root, '--concurrency', '1'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  await Promise.all(workers.map((worker) => started(worker, 'parapool-worker')));
  return {
    url,
    async stop() {
      await Promise.all(workers.map((worker) => stopped(worker, 'SIGTERM')));
      await stopped(redis, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
