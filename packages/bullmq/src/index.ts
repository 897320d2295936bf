/**
 * parapool across many machines: Python's `multiprocessing.Pool` over a BullMQ
 * queue on Redis, served by `parapool-worker` hosts.
 *
 * @module @parapool/bullmq
 * @group User API
 */
import type { EventEmitter } from 'node:events';
import { cpuCount, type Pool, type PoolEvents, type PoolOptions } from '@parapool/core';
import { BasePool, toTaskRef } from '@parapool/core/adapter';
import type { RedisOptions } from 'ioredis';
import { BullmqBackend, type BullmqBackendSettings, type BullmqEvents, taskKey } from './caller/backend.js';
import { TaskNamer } from './caller/task-names.js';
import type { HostInfo } from './shared/announcements.js';
import { nearestPackageRoot } from './shared/module-files.js';
import { checkConnection } from './shared/redis-client.js';

// Everything of the core (defineTasks, cpuCount, errors, types), so one import is enough;
// this package's createPool shadows the core's inline one.
export * from '@parapool/core';
export {
  BullmqBackend,
  type BullmqBackendSettings,
  type BullmqEvents,
  type HostLostEvent,
  type WaitingEvent,
} from './caller/backend.js';
export { NoHostsError, RedisUnavailableError } from './caller/errors.js';
export type { HostInfo } from './shared/announcements.js';
export type { Connection } from './shared/redis-client.js';

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
  /**
   * A chunk whose host is lost (its heartbeat stops) is sent to the other hosts at once; after this many
   * such losses, one more fails its call with WorkerCrashedError (default 1: a chunk runs at most twice
   * on hosts that die, so a task that kills its host ends).
   */
  maxHostLosses?: number;
  /**
   * Chunks of a task whose recent chunks ran (median, on the hosts) under this many milliseconds are
   * short: those handed over together travel to Redis in batches, one BullMQ job per host slot
   * (default 5). Raise it for tasks you know are short on a loaded machine; 0 sends every chunk alone.
   */
  batchBelowMs?: number;
  /**
   * Tasks safe to run twice (no side effects, or side effects that may repeat), as their handles
   * (`[tasks.render]`). At the end of a map, when the hosts have idle slots and a chunk of one of
   * these has run far longer than its siblings (4× their median, and at least 1 s), a copy of it runs
   * on another host and the first result wins (the other run is stopped). Other tasks never run twice
   * for this. Default: none.
   */
  idempotent?: readonly unknown[];
}

/** The pool's events: the core's, plus `hostLost` and `waiting`. */
export interface BullmqPoolEvents extends PoolEvents, BullmqEvents {}

type Listener<K extends keyof BullmqPoolEvents> = (...args: BullmqPoolEvents[K]) => void;

/**
 * A pool on BullMQ: the core's Pool, plus what the hosts announce, and two events:
 * `hostLost` (a host stopped its heartbeat; the chunks it held were sent to the others) and
 * `waiting` (a wait that lasts: no host, Redis unreachable, a chunk waiting for a free host).
 * Nobody listening, each is one line on stderr.
 */
export interface BullmqPool extends Pool {
  on<K extends keyof BullmqPoolEvents>(event: K, listener: Listener<K>): this;
  once<K extends keyof BullmqPoolEvents>(event: K, listener: Listener<K>): this;
  off<K extends keyof BullmqPoolEvents>(event: K, listener: Listener<K>): this;
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

/** The core's pool over a BullmqBackend, plus `ready()`, `hosts()` and the backend's events. */
class BullmqBasePool extends BasePool {
  readonly #backend: BullmqBackend;

  constructor(options: PoolOptions, settings: BullmqBackendSettings) {
    const made: { backend?: BullmqBackend } = {};
    // BasePool reads `processes` from the backend: without a fixed one, it follows the hosts.
    super(options, (resolved) => {
      made.backend = new BullmqBackend(resolved, settings);
      return made.backend;
    });
    if (!made.backend) throw new Error('BasePool did not make its backend');
    this.#backend = made.backend;
    // The backend's events are this pool's own besides the core's (BullmqPoolEvents).
    const events = this as EventEmitter;
    this.#backend.attach((name, ...args) => events.listenerCount(name) > 0 && events.emit(name, ...args));
  }

  ready(): Promise<void> {
    return this.#backend.ready();
  }

  hosts(): readonly HostInfo[] {
    return this.#backend.hosts();
  }
}

/** The keys of the tasks of the `idempotent` option, checked. */
function idempotentTasks(tasks: unknown): Set<string> {
  if (tasks === undefined) return new Set();
  if (!Array.isArray(tasks)) {
    throw new TypeError(
      'idempotent must be an array of task handles (idempotent: [tasks.render]), the tasks safe to run twice',
    );
  }
  return new Set(
    tasks.map((task, i) => {
      try {
        return taskKey(toTaskRef(task));
      } catch (error) {
        throw new TypeError(`idempotent[${i}] is not a task: ${(error as Error).message}`);
      }
    }),
  );
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
  const {
    connection,
    queue,
    root,
    prefix,
    maxChunkBytes,
    callerTimeout,
    hostTimeout,
    redisTimeout,
    maxHostLosses,
    batchBelowMs,
    idempotent,
    ...poolOptions
  } = options;
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
    maxHostLosses: positive('maxHostLosses', maxHostLosses, 1, 0),
    batchBelowMs: positive('batchBelowMs', batchBelowMs, 5, 0),
    idempotent: idempotentTasks(idempotent),
  };
  return new BullmqBasePool(poolOptions, settings) as unknown as BullmqPool;
}
