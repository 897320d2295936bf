/**
 * The caller's side: a parapool Backend whose workers are the slots of the
 * `parapool-worker` hosts serving a BullMQ queue.
 *
 * Each job the core hands over becomes one BullMQ job (or several, if it is
 * over `maxChunkBytes`), with an id of its own. Hosts append what they did with
 * it to this pool's own Redis stream, which only this pool reads: with blocking
 * reads from the last id it has seen, so a reconnect or a Redis restart loses
 * nothing, and by chunk id, so a chunk that ran twice is counted once. BullMQ's
 * QueueEvents are not used: they can miss events (a job removed, a restart, an
 * event lost between listeners), and a pool waiting on them would hang.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type BackendCapabilities, PoolStateError, PoolTerminatedError } from '@parapool/core';
import {
  type Backend,
  type BackendOptions,
  deserializeError,
  isDataCloneError,
  type Job,
  type JobControl,
  type JobResult,
  type SerializedError,
  taskLabel,
  toCloneError,
  unpackJob,
} from '@parapool/core/adapter';
import { Job as BullJob, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type HostInfo, liveHosts } from './announcements.js';
import { mergeResults, oversized, type Piece, splitByBytes } from './chunk-bytes.js';
import { NoHostsError, RedisUnavailableError } from './errors.js';
import { failedChunkError } from './failures.js';
import { type ControlMessage, Keys } from './keys.js';
import { type Connection, closeClient, createClient, describeConnection } from './redis-client.js';
import type { TaskNamer } from './task-names.js';
import { type ChunkBody, type ChunkData, decode, encode, type RemoteJob, type Report, WIRE_VERSION } from './wire.js';

/** The settings of a BullmqBackend (createPool resolves them). */
export interface BullmqBackendSettings {
  readonly connection: Connection;
  readonly queue: string;
  readonly prefix: string;
  readonly namer: TaskNamer;
  /** `processes` as the user gave it; undefined: the hosts' announced total. */
  readonly processes: number | undefined;
  /** Used while no host has announced itself. */
  readonly fallbackSize: number;
  readonly maxChunkBytes: number;
  readonly callerTimeout: number;
  readonly hostTimeout: number;
  readonly redisTimeout: number;
}

interface Chunk {
  readonly id: string;
  readonly name: string;
  readonly data: ChunkData;
  readonly control: JobControl;
  readonly resolve: (result: JobResult) => void;
  readonly reject: (error: unknown) => void;
  /** Settles once the chunk is in Redis (true) or will never be (false). */
  added: Promise<boolean>;
  inRedis: boolean;
  settled: boolean;
  sentAt: number;
  /** What was asked of hosts: never start it, or stop it too. */
  cancelSent: 'drop' | 'stop' | undefined;
  /** The reader's generation when the job was first seen missing from BullMQ. */
  missingSince: number | undefined;
  /** Times it was sent again because a host dropped it or it went missing. */
  resent: number;
}

/** A chunk is checked in BullMQ once it has waited this long for a report. */
const CHECK_AFTER = 3000;
/** Most chunks checked per tick. */
const CHECKS_PER_TICK = 200;
/** Times a chunk is sent again before its call fails. */
const MAX_RESENDS = 5;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`, or undefined after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Backend over a BullMQ queue and the hosts that serve it.
 * `size` is live: without a fixed `processes`, the hosts' announced total.
 */
export class BullmqBackend implements Backend {
  readonly name = 'bullmq';
  readonly capabilities: BackendCapabilities = {
    // A host stops a running chunk by terminating the local worker running it.
    stopsRunningJobs: true,
    // A task that kills its local worker fails its chunk with WorkerCrashedError; one that kills
    // its whole host is retried a bounded number of times, then fails the same way.
    isolatesCrashes: true,
    inProcess: false,
    separateProcesses: true,
    // Hosts run their own local pools: per-worker figures and events stay on the hosts.
    observesWorkers: false,
    jobsAhead: false,
    // Jobs cross Redis as bytes: every value is copied (a host's own thread pool moves its buffers locally).
    transfers: false,
  };
  /** One job per host slot: a chunk a host takes early could not be cancelled by a fail-fast. */
  readonly jobsPerWorker = 1;

  readonly #settings: BullmqBackendSettings;
  readonly #maxtasksperchild: number | undefined;
  readonly #keys: Keys;
  readonly #poolId = randomBytes(8).toString('hex');
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #chunks = new Map<string, Chunk>();
  readonly #pending = new Set<Promise<unknown>>();
  #seq = 0;
  readonly #resizeListeners = new Set<() => void>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #announced = 0;
  #hosts: HostInfo[] = [];
  #lastId = '0-0';
  /** Completed reads of the result stream. */
  #generation = 0;
  #tickTimer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  /** Wakes the reader when work arrives (it does not read while the pool is idle). */
  #wake: (() => void) | undefined;
  #noHostSince: number | undefined;
  #redisDownSince: number | undefined;
  #ready: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void };
  #readyDone = false;
  #stopping: Promise<void> | undefined;

  constructor(options: BackendOptions, settings: BullmqBackendSettings) {
    this.#settings = settings;
    this.#maxtasksperchild = options.maxtasksperchild;
    this.#keys = new Keys(settings.prefix, settings.queue);
    this.#client = createClient(settings.connection, `parapool:pool:${this.#poolId}`, { keepsProgramAlive: false });
    this.#reader = createClient(settings.connection, `parapool:pool:${this.#poolId}:results`, {
      keepsProgramAlive: false,
    });
    this.#queue = new Queue(settings.queue, { connection: this.#client, prefix: settings.prefix });
    this.#queue.on('error', () => {}); // connection trouble is reported by the timeouts below
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.#ready = { promise, resolve, reject };
    this.#tick();
  }

  /** Number of workers: `processes` if given, else the concurrency the live hosts announce. */
  get size(): number {
    if (this.#settings.processes !== undefined) return this.#settings.processes;
    return this.#announced > 0 ? this.#announced : this.#settings.fallbackSize;
  }

  onResize(listener: () => void): () => void {
    this.#resizeListeners.add(listener);
    return () => this.#resizeListeners.delete(listener);
  }

  /** The pool's id (its keys in Redis are named after it). */
  get poolId(): string {
    return this.#poolId;
  }

  /** Resolves once Redis answered and the hosts' announcements were read. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** The hosts serving the queue, as last read (every second or so). */
  hosts(): readonly HostInfo[] {
    return this.#hosts;
  }

  async run(job: Job, control: JobControl): Promise<JobResult> {
    if (this.#state !== 'running') throw new PoolStateError('The bullmq backend is closed');
    if (control.cancelled) throw control.reason;
    // Rows packed as matrices travel as arrays here (chunks are split by bytes, item by item);
    // registered class instances stay encoded, and the host's task module registers the classes.
    const codec = (job as { codec?: { marked: boolean } }).codec;
    job = unpackJob(job);
    const remote: RemoteJob = {
      task: this.#settings.namer.name(job.task),
      items: job.items,
      spread: job.spread,
      ...(job.columns ? { columns: job.columns } : {}),
      ...(codec ? { codec: { marked: codec.marked } } : {}),
      ...(job.initializer
        ? { initializer: { task: this.#settings.namer.name(job.initializer.task), args: job.initializer.args } }
        : {}),
    };
    let pieces: Piece[];
    try {
      pieces = splitByBytes(remote, (part) => encode(this.#body(part)), this.#settings.maxChunkBytes);
    } catch (error) {
      if (isDataCloneError(error)) throw toCloneError(error, 'argument');
      throw error;
    }
    const name = taskLabel(job.task);
    const results = await Promise.all(
      pieces.map((piece) =>
        piece.body ? this.#submit(piece.body, name, control) : oversized(piece, this.#settings.maxChunkBytes),
      ),
    );
    return mergeResults(pieces, results);
  }

  close(): Promise<void> {
    this.#stopping ??= this.#stop(false);
    return this.#stopping;
  }

  terminate(): Promise<void> {
    this.#stopping ??= this.#stop(true);
    return this.#stopping;
  }

  // ---- sending --------------------------------------------------------------

  #body(job: RemoteJob): ChunkBody {
    return { job, processes: this.size, maxtasksperchild: this.#maxtasksperchild };
  }

  #submit(body: Buffer, name: string, control: JobControl): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      this.#seq += 1;
      const chunk: Chunk = {
        id: `${this.#poolId}.${this.#seq}`,
        name,
        data: {
          w: WIRE_VERSION,
          pool: this.#poolId,
          node: process.versions.node,
          ttl: Math.max(60_000, this.#settings.callerTimeout * 4),
          body: body.toString('base64'),
        },
        control,
        resolve,
        reject,
        added: Promise.resolve(false),
        inRedis: false,
        settled: false,
        sentAt: Date.now(),
        cancelSent: undefined,
        missingSince: undefined,
        resent: 0,
      };
      this.#chunks.set(chunk.id, chunk);
      this.#holdProgram();
      this.#startReading();
      this.#add(chunk);
      control.onCancel(() => this.#track(this.#cancel(chunk)));
    });
  }

  #add(chunk: Chunk): void {
    chunk.sentAt = Date.now();
    chunk.missingSince = undefined;
    chunk.inRedis = false;
    chunk.added = this.#queue
      .add(chunk.name, chunk.data, {
        jobId: chunk.id,
        removeOnComplete: true,
        removeOnFail: { age: 3600, count: 10_000 },
        // Attempts are for hosts that fail to run a chunk (a task's own errors are results, not failures).
        attempts: 3,
        backoff: { type: 'exponential', delay: 500 },
      })
      .then(
        () => {
          chunk.inRedis = true;
          return true;
        },
        (error: unknown) => {
          this.#settle(chunk, error);
          return false;
        },
      );
  }

  /** Drops a chunk: removes it if still waiting, else tells hosts to skip or stop it. */
  async #cancel(chunk: Chunk): Promise<void> {
    if (chunk.settled) return;
    const mode = chunk.control.stopRequested ? 'stop' : 'drop';
    if (chunk.cancelSent === mode || chunk.cancelSent === 'stop') return;
    const first = chunk.cancelSent === undefined;
    chunk.cancelSent = mode;
    if (!(await chunk.added)) return;
    // Marked first: a host that takes the chunk between the mark and a stop's removal skips it.
    await this.#client.set(this.#keys.cancel(chunk.id), mode, 'PX', 3_600_000);
    if (first && (await this.#queue.remove(chunk.id)) === 1) {
      this.#settle(chunk, chunk.control.reason); // it never started and never will
      return;
    }
    if (mode === 'stop') await this.#publish({ stop: chunk.id });
    // Otherwise the host's report (result, dropped or stopped) settles it.
  }

  #publish(message: ControlMessage): Promise<number> {
    return this.#client.publish(this.#keys.control(), JSON.stringify(message));
  }

  #settle(chunk: Chunk, error: unknown, result?: JobResult): void {
    if (chunk.settled) return;
    chunk.settled = true;
    this.#chunks.delete(chunk.id);
    this.#releaseProgram();
    if (chunk.control.cancelled) chunk.reject(chunk.control.reason);
    else if (result) chunk.resolve(result);
    else chunk.reject(error);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => {});
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  // ---- receiving ------------------------------------------------------------

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #startReading(): void {
    this.#reading ??= this.#read();
    this.#wake?.();
    this.#wake = undefined;
  }

  /**
   * The connections never keep the program alive; the tick timer does, while
   * work is out or the pool connects or closes. So a script that forgets
   * close() still exits once its work is done (its hosts drop the pool later).
   */
  #holdProgram(): void {
    this.#tickTimer?.ref();
  }

  #releaseProgram(): void {
    if (this.#chunks.size === 0 && this.#readyDone && this.#state === 'running') this.#tickTimer?.unref();
  }

  async #read(): Promise<void> {
    const key = this.#keys.results(this.#poolId);
    while (!this.#stopped()) {
      if (this.#chunks.size === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      try {
        reply = (await this.#reader.xreadBuffer('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, this.#lastId)) as Array<
          [Buffer, Array<[Buffer, Buffer[]]>]
        > | null;
      } catch {
        if (this.#stopped()) return;
        await sleep(100); // the connection is down: ioredis reconnects, and the read resumes from #lastId
        continue;
      }
      const ids: string[] = [];
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          ids.push(id.toString());
          this.#receive(fields);
        }
      }
      if (ids.length > 0) {
        this.#lastId = ids[ids.length - 1] as string;
        this.#track(this.#client.xdel(key, ...ids)); // acknowledged: read, and never needed again
      }
      this.#generation += 1;
    }
  }

  #receive(fields: Buffer[]): void {
    let chunkId: string | undefined;
    let raw: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const field = (fields[i] as Buffer).toString();
      if (field === 'c') chunkId = (fields[i + 1] as Buffer).toString();
      else if (field === 'r') raw = fields[i + 1] as Buffer;
    }
    const chunk = chunkId === undefined ? undefined : this.#chunks.get(chunkId);
    if (!chunk || chunk.settled || raw === undefined) return; // a duplicate (the chunk ran twice), or not ours
    let report: Report;
    try {
      report = decode<Report>(raw, 'a host');
    } catch (error) {
      this.#settle(chunk, error);
      return;
    }
    if ('result' in report) this.#settle(chunk, undefined, report.result);
    else if ('error' in report) this.#settle(chunk, hostError(report.error, report.host));
    else if (chunk.control.cancelled) this.#settle(chunk, chunk.control.reason);
    else this.#resend(chunk, `the host ${report.host} dropped it (it saw this pool as gone)`);
  }

  /** Sends a chunk again (a host dropped it, or it vanished from Redis): at least once, never lost. */
  #resend(chunk: Chunk, why: string): void {
    chunk.resent += 1;
    if (chunk.resent > MAX_RESENDS) {
      this.#settle(
        chunk,
        new Error(
          `A chunk was sent ${MAX_RESENDS} times and lost each time (last: ${why}). If hosts dropped it, this pool's heartbeat expired: keep the caller's event loop responsive or raise callerTimeout (now ${this.#settings.callerTimeout} ms).`,
        ),
      );
      return;
    }
    this.#add(chunk);
  }

  // ---- the tick: heartbeat, hosts, lost chunks, timeouts ---------------------

  #tick(): void {
    const interval = Math.max(50, Math.min(1000, Math.floor(this.#settings.callerTimeout / 3)));
    let busy = false;
    const run = async () => {
      busy = true;
      try {
        await this.#beat();
        if (!this.#readyDone) {
          this.#readyDone = true;
          this.#ready.resolve();
          this.#releaseProgram();
        }
        await this.#checkChunks();
      } catch {
        // Redis trouble: the timeouts below tell when it lasts too long.
      }
      busy = false;
    };
    const tick = () => {
      // Commands wait while Redis is down, so Redis's state is read from the connection, not from a reply.
      if (this.#client.status === 'ready') this.#redisDownSince = undefined;
      else this.#redisDownSince ??= Date.now();
      if (!busy) void run();
      this.#checkTimeouts();
    };
    tick();
    this.#tickTimer = setInterval(tick, interval);
  }

  async #beat(): Promise<void> {
    const info = JSON.stringify({ host: hostname(), pid: process.pid });
    await this.#client.set(this.#keys.pool(this.#poolId), info, 'PX', this.#settings.callerTimeout);
    this.#hosts = await liveHosts(this.#client, this.#keys);
    const before = this.size;
    this.#announced = this.#hosts.reduce((sum, host) => sum + host.concurrency, 0);
    if (this.size !== before) for (const listener of [...this.#resizeListeners]) listener();
    if (this.#hosts.length > 0) this.#noHostSince = undefined;
  }

  /** Finds chunks that failed in BullMQ or vanished from Redis without a report. */
  async #checkChunks(): Promise<void> {
    const now = Date.now();
    const due = [...this.#chunks.values()]
      .filter((chunk) => chunk.inRedis && !chunk.settled && now - chunk.sentAt >= CHECK_AFTER)
      .slice(0, CHECKS_PER_TICK);
    if (due.length === 0) return;
    const generation = this.#generation;
    const states = await Promise.all(due.map((chunk) => this.#queue.getJobState(chunk.id)));
    for (const [i, chunk] of due.entries()) {
      if (chunk.settled) continue;
      const state = states[i];
      if (state === 'failed') {
        const job = await BullJob.fromId(this.#queue, chunk.id);
        this.#settle(chunk, failedChunkError(job?.failedReason ?? 'unknown reason', job?.attemptsStarted ?? 0));
      } else if (state === 'unknown' || state === 'completed') {
        // Gone from BullMQ: its report is in the stream unless it was lost. Two full reads
        // after this check prove which (a host reports before it completes the job).
        if (chunk.missingSince === undefined) chunk.missingSince = generation;
        else if (this.#generation >= chunk.missingSince + 2) {
          if (chunk.control.cancelled) this.#settle(chunk, chunk.control.reason);
          else this.#resend(chunk, 'it vanished from Redis (a restart without persistence?)');
        }
      } else {
        chunk.missingSince = undefined;
      }
    }
  }

  #checkTimeouts(): void {
    if (this.#state === 'stopped' || this.#chunks.size === 0) {
      if (this.#hosts.length === 0 && this.#chunks.size === 0) this.#noHostSince = undefined;
      return;
    }
    const now = Date.now();
    const where = `${describeConnection(this.#settings.connection)}, queue '${this.#settings.queue}'`;
    if (this.#redisDownSince !== undefined && now - this.#redisDownSince >= this.#settings.redisTimeout) {
      this.#failAll(
        new RedisUnavailableError(
          `Redis at ${describeConnection(this.#settings.connection)} could not be reached for ${this.#settings.redisTimeout} ms: check that redis-server runs there and the connection options (redisTimeout sets how long work waits).`,
        ),
      );
      if (!this.#readyDone) this.#ready.reject(new RedisUnavailableError(`Redis at ${where} could not be reached`));
      return;
    }
    if (this.#redisDownSince === undefined && this.#hosts.length === 0) {
      this.#noHostSince ??= now;
      if (now - this.#noHostSince >= this.#settings.hostTimeout) {
        this.#failAll(
          new NoHostsError(
            `No parapool-worker served ${where} for ${this.#settings.hostTimeout} ms while work waited: start one on each machine that should work (npx parapool-worker --redis <url> --queue ${this.#settings.queue} --root <folder of the code>). hostTimeout sets how long work waits.`,
          ),
        );
        this.#noHostSince = undefined;
      }
    }
  }

  #failAll(error: Error): void {
    for (const chunk of [...this.#chunks.values()]) {
      this.#settle(chunk, error);
      if (chunk.inRedis) this.#track(this.#dropQuietly(chunk.id));
    }
  }

  async #dropQuietly(id: string): Promise<void> {
    await this.#client.set(this.#keys.cancel(id), 'drop', 'PX', 3_600_000);
    await this.#queue.remove(id);
  }

  // ---- stopping -------------------------------------------------------------

  async #stop(terminate: boolean): Promise<void> {
    this.#state = 'closing';
    const keepAlive = setInterval(() => {}, 1000); // until the pool has said goodbye to Redis
    if (terminate) {
      for (const chunk of [...this.#chunks.values()]) this.#settle(chunk, new PoolTerminatedError());
    }
    clearInterval(this.#tickTimer);
    const connected = this.#client.status === 'ready';
    if (connected) {
      // Removals and stops asked for by cancellations go out before the pool ends.
      await within(Promise.all([...this.#pending]), 2000);
      await within(
        (async () => {
          await this.#publish({ end: this.#poolId, terminate });
          await this.#client.del(this.#keys.pool(this.#poolId), this.#keys.results(this.#poolId));
        })(),
        2000,
      );
    }
    this.#state = 'stopped';
    for (const chunk of [...this.#chunks.values()]) this.#settle(chunk, new PoolTerminatedError());
    if (!this.#readyDone) this.#ready.reject(new PoolStateError('The pool was closed before it connected'));
    await within(this.#queue.close(), 1000);
    // The reader may be blocked in XREAD: a polite QUIT would wait for it.
    this.#reader.disconnect();
    await closeClient(this.#client);
    this.#wake?.();
    await within(this.#reading ?? Promise.resolve(), 2000);
    clearInterval(keepAlive);
  }
}

/** A whole-chunk error from a host, naming the host. */
function hostError(data: SerializedError, host: string): Error {
  const error = deserializeError(data);
  error.message = `${error.message} (host: ${host})`;
  return error;
}
