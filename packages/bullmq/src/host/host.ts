/**
 * A worker host: what `parapool-worker` runs on each machine. It takes chunks
 * from the BullMQ queue (at most `concurrency` at once), runs each on a local
 * parapool backend (threads by default, so a crashing task is contained and
 * CPU-bound work never starves BullMQ's lock renewal on this thread), and
 * appends what happened to the caller pool's result stream.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type EncodedJob,
  type JobResult,
  jobControl,
  serializeError,
  settlesWithin,
  type TaskRef,
} from '@parapool/core/adapter';
import { ensureCloneable } from '@parapool/core/worker';
import { type Job as BullJob, Queue, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { announce, type HostInfo, withdraw } from '../shared/announcements.js';
import { failedChunkError } from '../shared/failures.js';
import { type ControlMessage, Keys } from '../shared/keys.js';
import { type Connection, closeClient, connected, createClient, describeConnection } from '../shared/redis-client.js';
import {
  type ChunkBody,
  type ChunkData,
  decode,
  encode,
  type RemoteTask,
  type Report,
  WIRE_VERSION,
} from '../shared/wire.js';
import { HostModules } from './host-modules.js';
import { loadLocalBackend } from './local-backends.js';
import { LocalPools } from './local-pools.js';
import { type ChunkOutcome, HostMetrics } from './metrics.js';

/** How a host is set up (the `parapool-worker` flags). */
export interface HostOptions {
  /** Where Redis is: a URL or ioredis options (`--redis`). */
  readonly connection: Connection;
  /** The BullMQ queue to serve (`--queue`). */
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
  /** Starting fails if Redis cannot be reached within this long (ms, default 10 000). */
  readonly connectTimeout?: number;
  /** Serve Prometheus metrics at http://<this machine>:<port>/metrics (0: a free port, logged). */
  readonly metricsPort?: number;
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

/** Appends a chunk's report to its pool's stream unless the chunk was moved to another job (its host was seen lost). */
const REPORT_SCRIPT = `
if redis.call('GET', KEYS[2]) == 'moved' then return 0 end
redis.call('XADD', KEYS[1], '*', 'c', ARGV[1], 'r', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

type ReportingClient = Redis & {
  parapoolReport(stream: string, cancel: string, chunkId: string, payload: Buffer, ttl: number): Promise<number>;
};

/** A running host. `Host.start(options)` makes one. */
export class Host {
  /** What this host announces to callers (id, machine, concurrency, backend, …). */
  readonly info: HostInfo;
  readonly #options: HostOptions;
  readonly #keys: Keys;
  readonly #client: ReportingClient;
  readonly #subscriber: Redis;
  readonly #modules: HostModules;
  readonly #pools: LocalPools;
  readonly #running = new Map<string, Running>();
  readonly #log: (line: string) => void;
  readonly #label: string;
  #worker: Worker<ChunkData> | undefined;
  #metrics: HostMetrics | undefined;
  #metricsQueue: Queue | undefined;
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
      ttl: options.heartbeat * 3,
    };
    this.#modules = new HostModules(options.root, options.allowInline, this.#label);
    this.#pools = pools;
    this.#client = createClient(options.connection, `parapool:host:${id}`) as ReportingClient;
    this.#client.defineCommand('parapoolReport', { numberOfKeys: 2, lua: REPORT_SCRIPT });
    this.#subscriber = createClient(options.connection, `parapool:host:${id}:control`);
  }

  /** Starts a host: loads its local backend, announces it, and starts taking chunks. */
  static async start(options: HostOptions): Promise<Host> {
    const factory = await loadLocalBackend(options.backend);
    const host = new Host(options, new LocalPools(factory, options.concurrency));
    try {
      await host.#start();
    } catch (error) {
      await host.#close();
      throw error;
    }
    return host;
  }

  async #start(): Promise<void> {
    const where = `${describeConnection(this.#options.connection)}, queue '${this.#options.queue}'`;
    // A wrong URL, password or certificate ends the start with a clear error instead of retrying for ever.
    const wait = this.#options.connectTimeout ?? 10_000;
    await Promise.all([
      connected(this.#client, this.#options.connection, wait),
      connected(this.#subscriber, this.#options.connection, wait),
    ]);
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
      // BullMQ writes the worker's name into each job it takes: callers find a lost host's chunks by it.
      name: this.info.id,
    });
    worker.on('error', (error: Error) => this.#warn(`BullMQ: ${error.message}`));
    worker.on('failed', (job, error) => {
      if (job) void this.#onFailed(job, error);
    });
    this.#worker = worker;
    await worker.waitUntilReady();
    let metrics = '';
    if (this.#options.metricsPort !== undefined) {
      // Reads counts only: it leaves the queue's settings (written by the callers' pools) as they are.
      const queue = new Queue(this.#options.queue, {
        connection: this.#client,
        prefix: this.#options.prefix,
        skipMetasUpdate: true,
      });
      queue.on('error', () => {});
      this.#metricsQueue = queue;
      this.#metrics = new HostMetrics(this.#options.concurrency, () =>
        queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
      );
      const port = await this.#metrics.serve(this.#options.metricsPort);
      metrics = `, metrics on port ${port} (/metrics)`;
    }
    this.#log(
      `parapool-worker ${this.info.id}: serving ${where} with ${this.#options.concurrency} × ${this.#options.backend}, root ${this.#modules.root}${this.#options.allowInline ? ', inline functions allowed' : ''}${metrics}`,
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
      if (closing && !(await settlesWithin(closing, grace + 10_000))) await this.#worker?.close(true);
      clearTimeout(timer);
      clearInterval(this.#beatTimer);
      await this.#pools.endAll();
      await settlesWithin(withdraw(this.#client, this.#keys, this.info.id), 2000);
      await this.#close();
      this.#log(`parapool-worker ${this.info.id}: stopped`);
    })();
    return this.#stopping;
  }

  async #close(): Promise<void> {
    await settlesWithin(this.#worker?.close(true) ?? Promise.resolve(), 2000);
    await this.#metrics?.close();
    await settlesWithin(this.#metricsQueue?.close() ?? Promise.resolve(), 1000);
    const clients = [this.#client, this.#subscriber, ...(this.#workerClient ? [this.#workerClient] : [])];
    await Promise.all(clients.map((client) => closeClient(client)));
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
    // A chunk that started before: on a host that died (BullMQ's attempt count), or moved off a lost one.
    const end = this.#metrics?.started(job.name, job.attemptsStarted > 1 || /\.m\d+$/.test(job.id ?? ''));
    let outcome: ChunkOutcome = 'failed';
    try {
      outcome = await this.#run(job, token);
    } catch (error) {
      if (error instanceof WaitingError) outcome = 'stopped';
      throw error;
    } finally {
      end?.(outcome);
    }
  }

  async #run(job: BullJob<ChunkData>, token: string | undefined): Promise<ChunkOutcome> {
    const chunkId = job.id as string;
    const data = job.data;
    if (data.w !== WIRE_VERSION) {
      const message = `This chunk uses parapool's wire format ${String(data.w)}, and parapool-worker on ${this.#label} speaks ${WIRE_VERSION}: install the same @parapool/bullmq version on callers and hosts.`;
      await this.#report(data, chunkId, { error: serializeError(new Error(message)), host: this.#label });
      return 'failed';
    }
    const [alive, cancel] = await this.#client
      .multi()
      .exists(this.#keys.pool(data.pool))
      .get(this.#keys.cancel(chunkId))
      .exec()
      .then((replies) => (replies ?? []).map(([, value]) => value));
    if (!alive) {
      await this.#report(data, chunkId, { dropped: 'pool ended', host: this.#label });
      return 'dropped';
    }
    // A chunk this host has taken counts as started, as a job handed to a free local worker does:
    // a plain cancel (fail-fast, break) lets it run and drops its result; a stop skips it. Dropped
    // chunks that come back (their host died) are skipped too.
    // A chunk moved to another job (this host was seen lost, then came back) is not reported: its new job's is.
    if (cancel === 'moved') return 'dropped';
    if (cancel === 'stop' || (cancel === 'drop' && job.attemptsStarted > 1)) {
      await this.#report(data, chunkId, { dropped: 'cancelled', host: this.#label });
      return 'dropped';
    }
    let body: ChunkBody;
    let local: EncodedJob;
    try {
      body = decode<ChunkBody>(Buffer.from(data.body, 'base64'), data.node);
      local = this.#localJob(body);
    } catch (error) {
      await this.#report(data, chunkId, { error: serializeError(error), host: this.#label });
      return 'failed';
    }
    const backend = this.#pools.acquire(data.pool, body.processes, body.maxtasksperchild, {
      maxmemoryperchild: body.maxmemoryperchild,
      grace: body.grace,
    });
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
    return 'result' in report ? 'ok' : 'stopped' in report ? 'stopped' : 'failed';
  }

  /** The core's job again: the remote one with its tasks named by this host's files. */
  #localJob(body: ChunkBody): EncodedJob {
    const { task, initializer, ...rest } = body.job;
    return {
      ...rest,
      task: this.#resolve(task),
      ...(initializer ? { initializer: { task: this.#resolve(initializer.task), args: initializer.args } } : {}),
    };
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
    await this.#client.parapoolReport(
      this.#keys.results(data.pool),
      this.#keys.cancel(chunkId),
      chunkId,
      payload,
      data.ttl,
    );
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
    else if ('drop' in message)
      this.#running.get(message.drop)?.control.cancel(new Error('dropped by its caller'), false);
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
        const mark = replies[pools.length + i];
        const running = this.#running.get(id);
        if (!running || (mark !== 'stop' && mark !== 'moved')) return;
        if (mark === 'moved') {
          this.#log(`chunk ${id} was sent to another host while this one was unreachable: stopping it here`);
          running.ended = true;
        }
        running.control.cancel(new Error('stopped by its caller'), true);
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
