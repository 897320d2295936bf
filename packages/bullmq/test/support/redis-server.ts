/**
 * A real redis-server for tests: its own free port on 127.0.0.1 and its own
 * temporary directory, stopped afterwards. Never a mock, never the system service.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@parapool/conformance';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGTERM: with AOF on, it flushes the file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (what AOF restores). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

function checkInstalled(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'redis-server is not installed: the bullmq tests start a real Redis 7. Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis).',
    );
  }
}

async function waitForPing(url: string, child: ChildProcess, log: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited (${child.exitCode}): ${readFileSync(log, 'utf8')}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      // With AOF, a restarted server answers LOADING until the file is read.
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline)
      throw new Error(`redis-server did not answer within ${timeoutMs} ms: ${readFileSync(log, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a redis-server; `appendonly` turns AOF on (for tests that restart it). */
export async function startRedis(
  options: {
    appendonly?: boolean;
    /** Addresses to listen on besides 127.0.0.1 (a test's veth links). */
    bind?: readonly string[];
    /** More redis-server flags. */
    args?: readonly string[];
  } = {},
): Promise<RedisServer> {
  checkInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'parapool-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const log = join(dir, 'redis.log');
  let child: ChildProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    ['127.0.0.1', ...(options.bind ?? [])].join(' '),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--logfile',
    log,
    '--daemonize',
    'no',
    ...(options.args ?? []),
  ];
  const server: RedisServer = {
    url,
    port,
    dir,
    async start() {
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      await waitForPing(url, started, log);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      await exited;
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
