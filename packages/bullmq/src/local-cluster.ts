/**
 * `@parapool/bullmq/local-cluster`: the many-machines setup on one machine, for
 * trying it out, examples and benchmarks — a redis-server of its own (a free
 * port on 127.0.0.1, a temporary directory, no persistence) and `hosts`
 * `parapool-worker` processes, as you would start them on several machines.
 *
 * @example
 * ```ts
 * import { createPool } from '@parapool/bullmq';
 * import { startLocalCluster } from '@parapool/bullmq/local-cluster';
 *
 * await using cluster = await startLocalCluster({ hosts: 2, root: process.cwd() });
 * await using pool = createPool({ connection: cluster.url, queue: cluster.queue, root: process.cwd() });
 * console.log(await pool.map(tasks.square, [1, 2, 3]));
 * ```
 *
 * @module @parapool/bullmq/local-cluster
 * @group User API
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { liveHosts } from './shared/announcements.js';
import { Keys } from './shared/keys.js';
import { closeClient, createClient } from './shared/redis-client.js';

/** Options of {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /** Folder the hosts find task modules under (`--root`); the callers' pools name the same one. */
  readonly root: string;
  /** Host processes to start. Default 2. */
  readonly hosts?: number;
  /** `--concurrency` of each host. Default 1. */
  readonly concurrency?: number;
  /** The queue the hosts serve. Default `'parapool'`. */
  readonly queue?: string;
  /** `--backend` of each host (its local pool). Default the host's own default. */
  readonly backend?: string;
  /** BullMQ key prefix (`--prefix`), as the pools' `prefix`. Default BullMQ's, `'bull'`. */
  readonly prefix?: string;
  /** `--allow-inline` on each host: run inline functions sent as source. Default false. */
  readonly allowInline?: boolean;
  /** Further `parapool-worker` flags for every host. */
  readonly hostArgs?: readonly string[];
  /**
   * Whether the hosts' output shows on this terminal (`'inherit'`), or goes to
   * a log file in the cluster's folder (`'log'`, the default: a host that fails
   * to start is reported with the end of its log).
   */
  readonly output?: 'inherit' | 'log';
  /**
   * `false`: the cluster's processes do not keep this program alive; it ends
   * when the program has nothing else to do, and they are killed as it exits.
   * Default true (until `stop()`).
   */
  readonly keepsProgramAlive?: boolean;
  /** How long to wait for Redis and for every host to announce itself. Default 30 000 ms. */
  readonly startTimeout?: number;
}

/** A running local cluster. `stop()` (or `await using`) ends it; so does this process's exit. */
export interface LocalCluster extends AsyncDisposable {
  /** The Redis URL to pass as `connection`. */
  readonly url: string;
  /** The queue its hosts serve: pass it as `queue`. */
  readonly queue: string;
  /** The cluster's temporary folder: Redis's files and, with `output: 'log'`, `host-<n>.log`. */
  readonly dir: string;
  /** The host processes' ids. */
  readonly hostPids: readonly number[];
  /** Stops the hosts (SIGTERM: they finish or hand back their chunks), then Redis, and removes its folder. */
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('./cli.js', import.meta.url));
/** What stops a redis-server from starting, in words a user can act on. */
const INSTALL_REDIS =
  'install Redis 7 (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) so that redis-server is on PATH';

/** Clusters still running: ended, at the latest, when this process exits. */
const running = new Set<{ children: ChildProcess[]; dir: string }>();
let exitHook = false;

function killOnExit(): void {
  for (const cluster of running) {
    for (const child of cluster.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(cluster.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function spawned(child: ChildProcess, what: string): Promise<void> {
  return new Promise((done, fail) => {
    child.once('spawn', done);
    child.once('error', (error) => fail(new Error(`${what} could not start (${error.message})`)));
  });
}

function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // A cluster that does not keep the program alive still does while it stops (else the program could end mid-stop).
  child.ref();
  child.kill(signal);
  return exited;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** A log file, shortened to its first and last lines if long, or '' if there is none. */
function tail(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return (lines.length <= 40 ? lines : [...lines.slice(0, 20), '…', ...lines.slice(-20)]).join('\n');
}

/** Polls `check` every 50 ms until it holds; throws `failure()` after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, failure: () => Error): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw failure();
    await new Promise((done) => setTimeout(done, 50));
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`startLocalCluster: ${name} must be an integer ≥ 1 (got ${String(value)})`);
  }
  return value;
}

/**
 * Starts Redis and the hosts, and resolves once every host has announced
 * itself (so a pool created next sees them all). Rejects — stopping whatever it
 * started — if redis-server is missing or a host does not come up in time.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  if (options === null || typeof options !== 'object' || typeof options.root !== 'string') {
    throw new TypeError("startLocalCluster needs { root }: the folder the hosts' task modules are under");
  }
  const hosts = positive('hosts', options.hosts ?? 2);
  const concurrency = positive('concurrency', options.concurrency ?? 1);
  const queue = options.queue ?? 'parapool';
  const timeout = options.startTimeout ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'parapool-local-cluster-'));
  const cluster = { children: [] as ChildProcess[], dir };
  running.add(cluster);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', killOnExit);
  }
  let client: Redis | undefined;
  const stop = async () => {
    if (!running.delete(cluster)) return;
    const [redis, ...workers] = cluster.children;
    // Hosts first (they finish or hand back their chunks), then Redis.
    await Promise.all(workers.map((worker) => stopped(worker, 'SIGTERM')));
    if (redis) await stopped(redis, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const log = join(dir, 'redis.log');
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--logfile', log],
      { stdio: 'ignore' },
    );
    cluster.children.push(redis);
    if (options.keepsProgramAlive === false) redis.unref();
    await spawned(redis, `redis-server: ${INSTALL_REDIS}`);
    await until(
      async () => {
        if (redis.exitCode !== null) throw new Error(`redis-server exited (${redis.exitCode}): ${tail(log)}`);
        return listening(port);
      },
      timeout,
      () => new Error(`redis-server did not listen within ${timeout} ms: ${tail(log)}`),
    );
    const prefix = options.prefix ?? 'bull';
    const args = [CLI, '--redis', url, '--queue', queue, '--root', resolve(options.root), '--prefix', prefix];
    args.push('--concurrency', String(concurrency));
    if (options.backend) args.push('--backend', options.backend);
    if (options.allowInline) args.push('--allow-inline');
    args.push(...(options.hostArgs ?? []));
    const logs: string[] = [];
    for (let i = 0; i < hosts; i++) {
      let stdio: ['ignore', 'inherit' | number, 'inherit' | number] = ['ignore', 'inherit', 'inherit'];
      let fd: number | undefined;
      if ((options.output ?? 'log') === 'log') {
        logs[i] = join(dir, `host-${i + 1}.log`);
        fd = openSync(logs[i] as string, 'a');
        stdio = ['ignore', fd, fd];
      }
      const host = spawn(process.execPath, args, { stdio });
      if (options.keepsProgramAlive === false) host.unref();
      cluster.children.push(host);
      if (fd !== undefined) closeSync(fd);
    }
    const workers = cluster.children.slice(1);
    await Promise.all(workers.map((worker) => spawned(worker, 'parapool-worker')));
    client = createClient(url, 'parapool:local-cluster');
    const keys = new Keys(prefix, queue);
    await until(
      async () => {
        const dead = workers.findIndex((worker) => worker.exitCode !== null || worker.signalCode !== null);
        if (dead >= 0) {
          const worker = workers[dead] as ChildProcess;
          const why = worker.signalCode ?? `exit code ${worker.exitCode}`;
          const log = logs[dead] ? `: ${tail(logs[dead] as string)}` : '';
          throw new Error(`parapool-worker host ${dead + 1} exited while starting (${why})${log}`);
        }
        return (await liveHosts(client as Redis, keys)).length >= hosts;
      },
      timeout,
      () => new Error(`${hosts} parapool-worker hosts did not announce themselves within ${timeout} ms`),
    );
    return {
      url,
      queue,
      dir,
      hostPids: workers.map((worker) => worker.pid as number),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    if (client) await closeClient(client);
  }
}
