/**
 * parapool across many machines: Python's `multiprocessing.Pool` over a BullMQ
 * queue on Redis, served by `parapool-worker` hosts.
 */
import { cpuCount, type Pool, type PoolOptions } from '@parapool/core';
import { BasePool } from '@parapool/core/adapter';
import type { RedisOptions } from 'ioredis';
import type { HostInfo } from './announcements.js';
import { BullmqBackend } from './backend.js';
import { checkConnection } from './redis-client.js';
import { nearestPackageRoot, TaskNamer } from './task-names.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export type { HostInfo } from './announcements.js';
export { BullmqBackend, type BullmqBackendSettings } from './backend.js';
export { NoHostsError, RedisUnavailableError } from './errors.js';
export { Host, type HostOptions } from './host.js';
export { LOCAL_BACKENDS } from './local-backends.js';
export type { Connection } from './redis-client.js';

/** Options of `createPool`: the pool's, plus where the queue is. */
export interface BullmqPoolOptions extends PoolOptions {
  /** Redis: a URL (`redis://10.0.0.5:6379`, `rediss://` for TLS) or ioredis options (`{ host, port, password, tls }`). */
  connection: string | RedisOptions;
  /** The BullMQ queue the hosts serve (`parapool-worker --queue`). Several pools may share one. */
  queue: string;
  /**
   * The folder task modules are named under (`parapool-worker --root` on the hosts).
   * Default: the nearest folder at or above the working directory that holds a package.json.
   */
  root?: string;
  /**
   * Number of chunks in flight at once. Default: the total `--concurrency` of the
   * hosts announced on the queue, read live; while none is known, `cpuCount()`.
   */
  processes?: number;
  /** BullMQ key prefix (default 'bull', BullMQ's). */
  prefix?: string;
  /** Most bytes of one chunk once serialized (default 64 MiB); bigger chunks are split, a bigger item fails. */
  maxChunkBytes?: number;
  /** Hosts drop this pool's waiting chunks and stop its running ones after this long without its heartbeat (ms, default 30 000). */
  callerTimeout?: number;
  /** Work fails with NoHostsError after this long with no host on the queue (ms, default 60 000). */
  hostTimeout?: number;
  /** Work fails with RedisUnavailableError after Redis is unreachable this long (ms, default 30 000). */
  redisTimeout?: number;
}

/** A pool on BullMQ: the core's Pool, plus what the hosts announce. */
export interface BullmqPool extends Pool {
  /** Resolves once Redis answered and the hosts' announcements were read (then `processes` is their total). */
  ready(): Promise<void>;
  /** The live hosts serving the queue, as last read (about every second). */
  hosts(): readonly HostInfo[];
}

function positive(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${name} must be a number ≥ ${min} (got ${String(value)})`);
  }
  return value;
}

/**
 * A pool whose workers are the `parapool-worker` hosts serving `queue`.
 *
 * @example
 * await using pool = createPool({ connection: 'redis://10.0.0.5:6379', queue: 'parapool' });
 * const counts = await pool.starmap(tasks.howmanyWithinRange, rows.map((r) => [r, 4, 8]));
 */
export function createPool(options: BullmqPoolOptions): BullmqPool {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      "createPool() needs options: createPool({ connection: 'redis://127.0.0.1:6379', queue: 'parapool' })",
    );
  }
  const { connection, queue, root, prefix, maxChunkBytes, callerTimeout, hostTimeout, redisTimeout, ...poolOptions } =
    options;
  const checked = checkConnection(connection, 'connection');
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(
      `queue must be the name of the BullMQ queue the hosts serve (a non-empty string without ':'), got ${JSON.stringify(queue)}`,
    );
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    throw new TypeError(`prefix must be a non-empty string (BullMQ's key prefix), got ${JSON.stringify(prefix)}`);
  }
  const settings = {
    connection: checked,
    queue,
    prefix: prefix ?? 'bull',
    namer: new TaskNamer(root ?? nearestPackageRoot(process.cwd())),
    processes: poolOptions.processes,
    fallbackSize: cpuCount(),
    maxChunkBytes: positive('maxChunkBytes', maxChunkBytes, 64 * 1024 * 1024, 1024),
    callerTimeout: positive('callerTimeout', callerTimeout, 30_000, 300),
    hostTimeout: positive('hostTimeout', hostTimeout, 60_000),
    redisTimeout: positive('redisTimeout', redisTimeout, 30_000),
  };
  let backend: BullmqBackend | undefined;
  const pool = new BasePool(poolOptions, (resolved) => {
    backend = new BullmqBackend(resolved, settings);
    return backend;
  });
  const live = backend as BullmqBackend;
  // Without a fixed `processes`, the pool's size follows the hosts as they come and go.
  if (poolOptions.processes === undefined) {
    Object.defineProperty(pool, 'processes', { get: () => live.size, enumerable: true, configurable: true });
  }
  return Object.assign(pool, { ready: () => live.ready(), hosts: () => live.hosts() });
}
