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
  itemsEndedBeforeCrash,
  type JobResult,
  jobControl,
  serializeError,
  settlesWithin,
  type TaskRef,
  withItemRecord,
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

/**
 * Jobs ahead: while this host's chunks are short (their run time here averages under SHORT_CHUNK_MS),
 * its BullMQ worker takes up to AHEAD_PER_SLOT jobs per slot besides the running one, and one while they
 * average under AHEAD_WAIT_MS; so the Redis round trips of taking and reporting a chunk overlap the
 * running of another instead of leaving the slot idle (what the core's local workers do with their jobs ahead).
 */
const AHEAD_PER_SLOT = 4;
const SHORT_CHUNK_MS = 5;
/**
 * A chunk taken ahead that has waited this long (ms), or twice the host's recent run time if longer, for
 * a slot goes back to the queue, where an idle host takes it, and the host stops taking jobs ahead until
 * its chunks are short again: a long chunk never holds another back from a free host.
 */
const AHEAD_WAIT_MS = 25;

/**
 * Appends chunk reports to their pool's stream (KEYS[1]), each unless its chunk was moved to another job
 * (its host was seen lost): KEYS[1 + i] is the cancel key of chunk i, ARGV[2i], ARGV[2i + 1] its id and
 * report; ARGV[1] the stream's time to live.
 */
const REPORT_SCRIPT = `
local written = 0
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= 'moved' then
    redis.call('XADD', KEYS[1], '*', 'c', ARGV[2 * i - 2], 'r', ARGV[2 * i - 1])
    written = written + 1
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return written`;

/** Most reports written by one call of the report script. */
const REPORTS_PER_CALL = 100;

type ReportingClient = Redis & {
  parapoolReport(numberOfKeys: number, ...keysAndArgs: Array<string | Buffer | number>): Promise<number>;
};

/** Reports waiting for their pool's stream while an earlier write to it is on its way. */
interface ReportQueue {
  readonly ttl: number;
  readonly entries: Array<{
    readonly cancel: string;
    readonly chunkId: string;
    readonly payload: Buffer;
    readonly done: (error?: unknown) => void;
  }>;
  writing: boolean;
}

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
  /** Reports on their way, by result stream. */
  readonly #reports = new Map<string, ReportQueue>();
  /** Free slots, and the chunks taken ahead that wait for one (first in, first out). */
  #free: number;
  readonly #waiting: Array<(turn: 'slot' | 'back' | 'cancelled') => void> = [];
  /** The average run time of recent chunks here (ms); undefined before the first. */
  #recentMs: number | undefined;

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
    this.#free = options.concurrency;
    this.#client = createClient(options.connection, `parapool:host:${id}`) as ReportingClient;
    this.#client.defineCommand('parapoolReport', { lua: REPORT_SCRIPT });
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
    const data = job.data;
    const jobId = job.id as string;
    // One chunk, or a batch of a caller's short chunks sent as one job (run in turn, each reported alone).
    const entries = data.batch ?? [{ id: jobId, body: data.body }];
    if (data.w !== WIRE_VERSION) {
      const message = `This chunk uses parapool's wire format ${String(data.w)}, and parapool-worker on ${this.#label} speaks ${WIRE_VERSION}: install the same @parapool/bullmq version on callers and hosts.`;
      const end = this.#metrics?.started(job.name, false);
      await this.#report(data, jobId, { error: serializeError(new Error(message)), host: this.#label });
      end?.('failed');
      return;
    }
    // Registered before anything is awaited: a stop or a drop published meanwhile reaches each entry.
    const runnings = entries.map((entry) => {
      const running: Running = { poolId: data.pool, control: jobControl(), ended: false, handBack: false };
      this.#running.set(entry.id, running);
      return running;
    });
    const reports: Array<Promise<void>> = [];
    try {
      const pipeline = this.#client.multi().exists(this.#keys.pool(data.pool));
      for (const entry of entries) pipeline.get(this.#keys.cancel(entry.id));
      const [alive, ...marks] = ((await pipeline.exec()) ?? []).map(([, value]) => value);
      for (const [i, entry] of entries.entries()) {
        const running = runnings[i] as Running;
        // A chunk that started before: on a host that died (BullMQ's attempt count), or moved off a lost one.
        const end = this.#metrics?.started(job.name, job.attemptsStarted > 1 || /\.m\d+$/.test(entry.id));
        let outcome: ChunkOutcome = 'failed';
        try {
          outcome = await this.#run(job, token, entry, {
            alive: Boolean(alive),
            mark: marks[i],
            running,
            batched: entries.length > 1,
            first: i === 0,
            reports,
          });
        } catch (error) {
          if (error instanceof WaitingError) outcome = 'stopped';
          throw error;
        } finally {
          end?.(outcome);
        }
      }
    } finally {
      for (const entry of entries) this.#running.delete(entry.id);
      // Every report is written before BullMQ completes the job (a caller reads a completed job's reports as final).
      await Promise.all(reports);
    }
  }

  async #run(
    job: BullJob<ChunkData>,
    token: string | undefined,
    entry: { readonly id: string; readonly body: string },
    turnOf: {
      readonly alive: boolean;
      readonly mark: unknown;
      readonly running: Running;
      readonly batched: boolean;
      readonly first: boolean;
      readonly reports: Array<Promise<void>>;
    },
  ): Promise<ChunkOutcome> {
    const { id: chunkId } = entry;
    const { running, batched } = turnOf;
    const data = job.data;
    // A batch's reports go out without waiting for each other (one round trip for several).
    const report = (what: Report) => {
      const sent = this.#report(data, chunkId, what);
      if (batched) turnOf.reports.push(sent);
      return batched ? Promise.resolve() : sent;
    };
    if (!turnOf.alive) {
      await report({ dropped: 'pool ended', host: this.#label });
      return 'dropped';
    }
    const cancel = turnOf.mark;
    // A chunk this host has taken counts as started, as a job handed to a free local worker does:
    // a plain cancel (fail-fast, break) lets it run and drops its result; a stop skips it. Dropped
    // chunks that come back (their host died), and those of a batch not begun yet, are skipped too.
    // A chunk moved to another job (this host was seen lost, then came back) is not reported: its new job's is.
    if (cancel === 'moved') return 'dropped';
    if (cancel === 'stop' || (cancel === 'drop' && (batched || job.attemptsStarted > 1))) {
      await report({ dropped: 'cancelled', host: this.#label });
      return 'dropped';
    }
    let body: ChunkBody;
    let local: EncodedJob;
    try {
      body = decode<ChunkBody>(Buffer.from(entry.body, 'base64'), data.node);
      local = this.#localJob(body);
    } catch (error) {
      await report({ error: serializeError(error), host: this.#label });
      return 'failed';
    }
    // Only a job not begun goes back to the queue when it waits too long (a batch after its first chunk runs on).
    const turn = await this.#turn(running, turnOf.first);
    if (turn !== 'slot' || running.ended || running.control.cancelled) {
      // It never started here: back to the queue (taken ahead, or the host is stopping), or not wanted.
      if (turn === 'slot') this.#release();
      if ((turn === 'back' || running.handBack) && token) {
        await Promise.all(turnOf.reports);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (!running.ended) await report({ dropped: 'cancelled', host: this.#label });
      return 'dropped';
    }
    const backend = this.#pools.acquire(data.pool, body.processes, body.maxtasksperchild, {
      maxmemoryperchild: body.maxmemoryperchild,
      grace: body.grace,
    });
    // A chunk that may be sent again (its call has retries) or whose items before a stuck call are kept
    // (an imap's, with a timeout): local thread workers record each item's outcome in shared memory
    // (local worker processes in a record file, as the chunk's key asks).
    if (local.resend) local = withItemRecord(local, backend.capabilities);
    let outcome: Report;
    const began = performance.now();
    const busy = this.#metrics?.running();
    try {
      const result = await backend.run(local, running.control);
      outcome = { result, host: this.#label, ms: performance.now() - began };
    } catch (error) {
      if (running.control.stopRequested) outcome = { stopped: true, host: this.#label };
      else {
        // Its local worker died: the items that had ended go back with the crash, and do not run again.
        const crashed = local.resend && (error as Error | undefined)?.name === 'WorkerCrashedError';
        const ended = crashed ? itemsEndedBeforeCrash(local) : [];
        outcome = { error: serializeError(error), host: this.#label, ...(ended.length > 0 ? { ended } : {}) };
      }
    } finally {
      busy?.();
      this.#running.delete(chunkId);
      this.#pools.release(data.pool);
      this.#ran(performance.now() - began);
      this.#release();
    }
    if (running.handBack && token) {
      await Promise.all(turnOf.reports);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (!running.ended) await report(outcome);
    return 'result' in outcome ? 'ok' : 'stopped' in outcome ? 'stopped' : 'failed';
  }

  // ---- slots and jobs ahead ----------------------------------------------------

  /**
   * Waits for a free slot: `slot` (run it, then #release), `cancelled` (its caller no longer wants it, or
   * the host is stopping), or `back` (taken ahead, it waited AHEAD_WAIT_MS: it goes back to the queue).
   */
  #turn(running: Running, mayGoBack: boolean): Promise<'slot' | 'back' | 'cancelled'> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve('slot');
    }
    return new Promise((resolve) => {
      let done = false;
      const settle = (turn: 'slot' | 'back' | 'cancelled') => {
        if (done) {
          if (turn === 'slot') this.#release(); // handed on: the slot is not this chunk's
          return;
        }
        done = true;
        clearTimeout(timer);
        stopListening();
        const at = this.#waiting.indexOf(settle);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve(turn);
      };
      const timer = mayGoBack
        ? setTimeout(
            () => {
              this.#ahead(0);
              settle('back');
            },
            Math.max(AHEAD_WAIT_MS, 2 * (this.#recentMs ?? 0)),
          )
        : undefined;
      const stopListening = running.control.onCancel(() => settle('cancelled'));
      this.#waiting.push(settle);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next('slot');
    else this.#free += 1;
  }

  /** A chunk ran `ms` here: the shorter chunks run, the more jobs the worker takes ahead. */
  #ran(ms: number): void {
    // Up at once, down slowly: one long chunk is enough to stop taking many ahead.
    const last = this.#recentMs;
    const recent = last === undefined || ms >= last ? ms : 0.8 * last + 0.2 * ms;
    this.#recentMs = recent;
    this.#ahead(recent < SHORT_CHUNK_MS ? AHEAD_PER_SLOT : recent < AHEAD_WAIT_MS ? 1 : 0);
  }

  /** Lets the BullMQ worker take `perSlot` jobs per slot besides the running ones. */
  #ahead(perSlot: number): void {
    const worker = this.#worker;
    if (!worker || this.#stopping) return;
    const concurrency = this.#options.concurrency * (1 + perSlot);
    if (worker.concurrency !== concurrency) worker.concurrency = concurrency;
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
    const stream = this.#keys.results(data.pool);
    let queue = this.#reports.get(stream);
    if (!queue) {
      queue = { ttl: data.ttl, entries: [], writing: false };
      this.#reports.set(stream, queue);
    }
    const cancel = this.#keys.cancel(chunkId);
    const written = new Promise<void>((resolve, reject) => {
      (queue as ReportQueue).entries.push({
        cancel,
        chunkId,
        payload,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
    if (!queue.writing) void this.#writeReports(stream, queue);
    return written;
  }

  /**
   * Writes a stream's reports: the first at once, and those that come while it is on its way together in
   * the next call (one round trip and one script for several chunks when they finish close together).
   */
  async #writeReports(stream: string, queue: ReportQueue): Promise<void> {
    queue.writing = true;
    while (queue.entries.length > 0) {
      const batch = queue.entries.splice(0, REPORTS_PER_CALL);
      const keys = [stream, ...batch.map((entry) => entry.cancel)];
      const args = [queue.ttl, ...batch.flatMap((entry) => [entry.chunkId, entry.payload])];
      try {
        await this.#client.parapoolReport(keys.length, ...keys, ...args);
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.done(error ?? new Error('the report could not be written'));
      }
    }
    queue.writing = false;
    if (this.#reports.get(stream) === queue) this.#reports.delete(stream);
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
