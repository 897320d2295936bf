/**
 * A worker host: what `parapool-worker` runs on each machine. It takes chunks
 * from the BullMQ queue (at most `concurrency` at once), runs each on a local
 * parapool backend (threads by default, so a crashing task is contained and
 * CPU-bound work never starves BullMQ's lock renewal on this thread), and
 * appends what happened to the caller pool's result stream.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Job, type JobResult, jobControl, serializeError, type TaskRef } from '@parapool/core/adapter';
import { ensureCloneable } from '@parapool/core/worker';
import { type Job as BullJob, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { announce, type HostInfo, withdraw } from './announcements.js';
import { failedChunkError } from './failures.js';
import { HostModules } from './host-modules.js';
import { type ControlMessage, Keys } from './keys.js';
import { loadLocalBackend } from './local-backends.js';
import { LocalPools } from './local-pools.js';
import { type Connection, closeClient, createClient, describeConnection } from './redis-client.js';
import { type ChunkBody, type ChunkData, decode, encode, type RemoteTask, type Report, WIRE_VERSION } from './wire.js';

/** How a host is set up (the `parapool-worker` flags). */
export interface HostOptions {
  readonly connection: Connection;
  readonly queue: string;
  /** Chunks run at once (and the most local workers one caller pool gets here). */
  readonly concurrency: number;
  /** Task modules are found by their path under this folder. */
  readonly root: string;
  /** Local backend: 'piscina' (default), 'child-process', 'tinypool', 'threads', 'workerpool', 'poolifier' or 'inline'. */
  readonly backend: string;
  /** Run inline functions sent as source (anyone who can write to Redis could then run code here). */
  readonly allowInline: boolean;
  /** BullMQ key prefix. */
  readonly prefix: string;
  /** BullMQ lock duration (ms): a dead host's chunk is taken over after about this long. */
  readonly lockDuration: number;
  /** BullMQ stalled-job check interval (ms). */
  readonly stalledInterval: number;
  /** Times a chunk may be recovered from a dead host before it fails with WorkerCrashedError. */
  readonly maxStalledCount: number;
  /** Announcement renewal interval (ms); the announcement expires after three missed ones. */
  readonly heartbeat: number;
  /** A local backend unused this long (ms) is stopped; made again on its pool's next chunk. */
  readonly idleTimeout: number;
  /** Where the host writes its log lines (default: stderr). */
  readonly log?: (line: string) => void;
}

interface Running {
  readonly poolId: string;
  readonly control: ReturnType<typeof jobControl>;
  /** Its caller's pool ended: nobody reads its report. */
  ended: boolean;
  /** The host is stopping and gives the chunk back to the queue. */
  handBack: boolean;
}

const TIMED_OUT = Symbol('timed out');

/** `promise`'s value, or TIMED_OUT after `ms` (a rejection counts as done). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A running host. `Host.start(options)` makes one. */
export class Host {
  readonly info: HostInfo;
  readonly #options: HostOptions;
  readonly #keys: Keys;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #modules: HostModules;
  readonly #pools: LocalPools;
  readonly #running = new Map<string, Running>();
  readonly #log: (line: string) => void;
  readonly #label: string;
  #worker: Worker<ChunkData> | undefined;
  #workerClient: Redis | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  #lastErrors = new Map<string, number>();

  private constructor(options: HostOptions, pools: LocalPools) {
    this.#options = options;
    this.#keys = new Keys(options.prefix, options.queue);
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const id = `${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
    this.#label = `${hostname()} pid ${process.pid}`;
    this.info = {
      id,
      host: hostname(),
      pid: process.pid,
      concurrency: options.concurrency,
      backend: options.backend,
      node: process.versions.node,
      allowInline: options.allowInline,
      started: Date.now(),
      heartbeat: Date.now(),
    };
    this.#modules = new HostModules(options.root, options.allowInline, this.#label);
    this.#pools = pools;
    this.#client = createClient(options.connection, `parapool:host:${id}`);
    this.#subscriber = createClient(options.connection, `parapool:host:${id}:control`);
  }

  /** Starts a host: loads its local backend, announces it, and starts taking chunks. */
  static async start(options: HostOptions): Promise<Host> {
    const factory = await loadLocalBackend(options.backend);
    const host = new Host(options, new LocalPools(factory, options.concurrency));
    await host.#start();
    return host;
  }

  async #start(): Promise<void> {
    const where = `${describeConnection(this.#options.connection)}, queue '${this.#options.queue}'`;
    this.#client.on('error', (error: Error) => this.#warn(`Redis at ${where}: ${error.message} (retrying)`));
    this.#subscriber.on('message', (_channel: string, message: string) => this.#onControl(message));
    await this.#subscriber.subscribe(this.#keys.control());
    await announce(this.#client, this.#keys, this.info, this.#options.heartbeat * 3);
    this.#beatTimer = setInterval(() => void this.#beat(), this.#options.heartbeat);
    this.#workerClient = createClient(this.#options.connection, `parapool:host:${this.info.id}:bullmq`);
    const worker = new Worker<ChunkData>(this.#options.queue, (job, token) => this.#process(job, token), {
      connection: this.#workerClient,
      prefix: this.#options.prefix,
      concurrency: this.#options.concurrency,
      lockDuration: this.#options.lockDuration,
      stalledInterval: this.#options.stalledInterval,
      maxStalledCount: this.#options.maxStalledCount,
      name: this.#label,
    });
    worker.on('error', (error: Error) => this.#warn(`BullMQ: ${error.message}`));
    worker.on('failed', (job, error) => {
      if (job) void this.#onFailed(job, error);
    });
    this.#worker = worker;
    await worker.waitUntilReady();
    this.#log(
      `parapool-worker ${this.info.id}: serving ${where} with ${this.#options.concurrency} × ${this.#options.backend}, root ${this.#modules.root}${this.#options.allowInline ? ', inline functions allowed' : ''}`,
    );
  }

  /**
   * Stops taking chunks, lets the running ones finish for up to `grace` ms,
   * then gives the rest back to the queue (another host takes them), and exits cleanly.
   */
  stop(grace: number): Promise<void> {
    if (this.#stopping) {
      if (grace === 0) this.#handBack();
      return this.#stopping;
    }
    this.#stopping = (async () => {
      this.#log(
        `parapool-worker ${this.info.id}: stopping; ${this.#running.size} running chunk(s) get ${grace} ms to finish, then are handed back`,
      );
      const timer = setTimeout(() => this.#handBack(), grace);
      // Each step is bounded: a host whose Redis is gone still exits.
      const closing = this.#worker?.close();
      if (closing && (await within(closing, grace + 10_000)) === TIMED_OUT) await this.#worker?.close(true);
      clearTimeout(timer);
      clearInterval(this.#beatTimer);
      await this.#pools.endAll();
      await within(withdraw(this.#client, this.#keys, this.info.id), 2000);
      const clients = [this.#client, this.#subscriber, ...(this.#workerClient ? [this.#workerClient] : [])];
      await Promise.all(clients.map((client) => closeClient(client)));
      this.#log(`parapool-worker ${this.info.id}: stopped`);
    })();
    return this.#stopping;
  }

  /** Stops the running chunks and gives them back to the queue, for another host. */
  #handBack(): void {
    if (this.#running.size > 0) this.#log(`handing ${this.#running.size} running chunk(s) back to the queue`);
    for (const running of this.#running.values()) {
      running.handBack = true;
      running.control.cancel(new Error('the host is stopping'), true);
    }
  }

  // ---- one chunk ------------------------------------------------------------

  async #process(job: BullJob<ChunkData>, token: string | undefined): Promise<void> {
    const chunkId = job.id as string;
    const data = job.data;
    if (data.w !== WIRE_VERSION) {
      const message = `This chunk uses parapool's wire format ${String(data.w)}, and parapool-worker on ${this.#label} speaks ${WIRE_VERSION}: install the same @parapool/bullmq version on callers and hosts.`;
      await this.#report(data, chunkId, { error: serializeError(new Error(message)), host: this.#label });
      return;
    }
    const [alive, cancel] = await this.#client
      .multi()
      .exists(this.#keys.pool(data.pool))
      .get(this.#keys.cancel(chunkId))
      .exec()
      .then((replies) => (replies ?? []).map(([, value]) => value));
    if (!alive) {
      await this.#report(data, chunkId, { dropped: 'pool ended', host: this.#label });
      return;
    }
    // A chunk this host has taken counts as started, as a job handed to a free local worker does:
    // a plain cancel (fail-fast, break) lets it run and drops its result; a stop skips it. Dropped
    // chunks that come back (their host died) are skipped too.
    if (cancel === 'stop' || (cancel === 'drop' && job.attemptsStarted > 1)) {
      await this.#report(data, chunkId, { dropped: 'cancelled', host: this.#label });
      return;
    }
    let body: ChunkBody;
    let local: Job;
    try {
      body = decode<ChunkBody>(Buffer.from(data.body, 'base64'), data.node);
      local = this.#localJob(body);
    } catch (error) {
      await this.#report(data, chunkId, { error: serializeError(error), host: this.#label });
      return;
    }
    const backend = this.#pools.acquire(data.pool, body.processes, body.maxtasksperchild);
    const running: Running = { poolId: data.pool, control: jobControl(), ended: false, handBack: false };
    this.#running.set(chunkId, running);
    let report: Report;
    try {
      const result = await backend.run(local, running.control);
      report = { result, host: this.#label };
    } catch (error) {
      if (running.control.stopRequested) report = { stopped: true, host: this.#label };
      else report = { error: serializeError(error), host: this.#label };
    } finally {
      this.#running.delete(chunkId);
      this.#pools.release(data.pool);
    }
    if (running.handBack && token) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (!running.ended) await this.#report(data, chunkId, report);
  }

  #localJob(body: ChunkBody): Job {
    const { job } = body;
    const task = this.#resolve(job.task);
    const initializer = job.initializer
      ? { task: this.#resolve(job.initializer.task), args: job.initializer.args }
      : undefined;
    return {
      task,
      items: job.items,
      spread: job.spread,
      ...(job.columns ? { columns: job.columns } : {}),
      ...(initializer ? { initializer } : {}),
      ...(job.codec ? { codec: job.codec } : {}),
    } as Job;
  }

  #resolve(task: RemoteTask): TaskRef {
    return this.#modules.resolve(task);
  }

  /** Appends a report to the caller pool's result stream (before BullMQ completes the job). */
  async #report(data: ChunkData, chunkId: string, report: Report): Promise<void> {
    let payload: Buffer;
    try {
      payload = encode(report);
    } catch {
      // A local backend that does not check its results (inline): the values that cannot cross fail alone.
      payload = encode({ ...report, result: ensureCloneable((report as { result: JobResult }).result) });
    }
    const key = this.#keys.results(data.pool);
    await this.#client.multi().xadd(key, '*', 'c', chunkId, 'r', payload).pexpire(key, data.ttl).exec();
  }

  /** BullMQ failed a chunk for good (its hosts kept dying, or could not run it): tell its caller. */
  async #onFailed(job: BullJob<ChunkData>, error: Error): Promise<void> {
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final || !job.id || job.data?.w !== WIRE_VERSION) return;
    const failure = failedChunkError(error.message, job.attemptsStarted);
    await this.#report(job.data, job.id, { error: serializeError(failure), host: this.#label }).catch(() => {});
  }

  // ---- control: stops, pool ends, heartbeat -----------------------------------

  #onControl(raw: string): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(raw) as ControlMessage;
    } catch {
      return;
    }
    if ('stop' in message) this.#running.get(message.stop)?.control.cancel(new Error('stopped by its caller'), true);
    else if ('end' in message) this.#endPool(message.end);
  }

  #endPool(poolId: string): void {
    for (const running of this.#running.values()) if (running.poolId === poolId) running.ended = true;
    this.#pools.end(poolId);
  }

  /** Renews the announcement; ends local pools whose caller went silent; applies stops a lost message missed. */
  async #beat(): Promise<void> {
    try {
      await announce(this.#client, this.#keys, { ...this.info, heartbeat: Date.now() }, this.#options.heartbeat * 3);
      const pools = this.#pools.ids();
      const chunks = [...this.#running.keys()];
      const pipeline = this.#client.multi();
      for (const id of pools) pipeline.exists(this.#keys.pool(id));
      for (const id of chunks) pipeline.get(this.#keys.cancel(id));
      const replies = ((await pipeline.exec()) ?? []).map(([, value]) => value);
      pools.forEach((id, i) => {
        if (!replies[i]) {
          this.#log(`caller pool ${id} went silent: stopping its chunks here`);
          this.#endPool(id);
        }
      });
      chunks.forEach((id, i) => {
        if (replies[pools.length + i] === 'stop') {
          this.#running.get(id)?.control.cancel(new Error('stopped by its caller'), true);
        }
      });
      this.#pools.endIdle(this.#options.idleTimeout);
    } catch (error) {
      this.#warn(`heartbeat: ${(error as Error).message}`);
    }
  }

  /** Logs a warning, at most once a minute per message. */
  #warn(line: string): void {
    const now = Date.now();
    const last = this.#lastErrors.get(line);
    if (last !== undefined && now - last < 60_000) return;
    this.#lastErrors.set(line, now);
    this.#log(`parapool-worker ${this.info.id}: ${line}`);
  }
}
