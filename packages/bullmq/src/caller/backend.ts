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
import { setTimeout as sleep } from 'node:timers/promises';
import { PoolStateError, PoolTerminatedError, WorkerCrashedError } from '@parapool/core';
import {
  type Backend,
  type BackendCapabilities,
  type BackendOptions,
  carryEndedItems,
  deserializeError,
  type EncodedJob,
  endedItemsCarried,
  isDataCloneError,
  type Job,
  type JobControl,
  type JobResult,
  type SerializedError,
  settlesWithin,
  type TaskRef,
  taskLabel,
  toCloneError,
  unpackJob,
} from '@parapool/core/adapter';
import { Job as BullJob, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type HostInfo, liveHosts, lostHosts } from '../shared/announcements.js';
import { failedChunkError } from '../shared/failures.js';
import { type ControlMessage, Keys } from '../shared/keys.js';
import {
  type Connection,
  closeClient,
  createClient,
  describeConnection,
  fatalConnectionProblem,
  lastConnectionError,
} from '../shared/redis-client.js';
import {
  type ChunkBody,
  type ChunkData,
  decode,
  encode,
  type RemoteJob,
  type Report,
  WIRE_VERSION,
} from '../shared/wire.js';
import {
  endedResult,
  jobEnded,
  mergeResults,
  oversized,
  type Piece,
  piecesEnded,
  splitByBytes,
} from './chunk-bytes.js';
import { NoHostsError, RedisUnavailableError } from './errors.js';
import type { TaskNamer } from './task-names.js';

/** The settings of a BullmqBackend (createPool resolves them). */
export interface BullmqBackendSettings {
  /** Where Redis is: a URL or ioredis options. */
  readonly connection: Connection;
  /** The BullMQ queue the hosts serve. */
  readonly queue: string;
  /** BullMQ's key prefix. */
  readonly prefix: string;
  /** Turns task refs into the names hosts find them by (module path under the root, and its hash). */
  readonly namer: TaskNamer;
  /** `processes` as the user gave it; undefined: the hosts' announced total. */
  readonly processes: number | undefined;
  /** Used while no host has announced itself. */
  readonly fallbackSize: number;
  /** Most bytes of one serialized chunk; bigger chunks are split. */
  readonly maxChunkBytes: number;
  /** Hosts give up on this pool's chunks after this long without its heartbeat (ms). */
  readonly callerTimeout: number;
  /** Chunks of a task whose recent chunks ran under this (median, ms) travel in batches (0: never). */
  readonly batchBelowMs: number;
  /** Work fails with NoHostsError after this long with no host (ms). */
  readonly hostTimeout: number;
  /** Work fails with RedisUnavailableError after Redis is unreachable this long (ms). */
  readonly redisTimeout: number;
  /** Times a chunk is sent again after its host was lost; lost once more, it fails with WorkerCrashedError. */
  readonly maxHostLosses: number;
  /** The tasks safe to run twice (`module#name`): a straggling chunk of one gets a copy on an idle host. */
  readonly idempotent: ReadonlySet<string>;
}

/** A host whose heartbeat stopped, and the chunks of this pool it held (sent again, to the other hosts). */
export interface HostLostEvent {
  /** The lost host, as it last announced itself. */
  readonly host: HostInfo;
  /** The ids of this pool's chunks it was running (each is now a new BullMQ job). */
  readonly chunks: readonly string[];
  /** The event as one line of text (what is written to stderr when nobody listens). */
  readonly message: string;
}

/** A wait that lasts: said early, long before its timeout fails the work. */
export interface WaitingEvent {
  /**
   * `no-host`: no host serves the queue; `redis`: Redis cannot be reached; `chunk`: a chunk waits in the
   * queue while the hosts serving it are busy (with no host at all, only `no-host`).
   */
  readonly reason: 'no-host' | 'redis' | 'chunk';
  /** How long it has lasted (ms). */
  readonly ms: number;
  /** The event as one line of text (what is written to stderr when nobody listens). */
  readonly message: string;
}

/** The events the backend has for its pool (createPool emits them on the pool). */
export interface BullmqEvents {
  /** A host stopped its heartbeat; the chunks it held were sent to the other hosts. */
  hostLost: [event: HostLostEvent];
  /** A wait that lasts: no host, Redis unreachable, or a chunk waiting for a free host. */
  waiting: [event: WaitingEvent];
}

/** Emits an event on the pool; false when nobody listens (then the backend writes one line on stderr). */
export type EventSink = <K extends keyof BullmqEvents>(name: K, ...args: BullmqEvents[K]) => boolean;

interface Chunk {
  /** The BullMQ job id it is sent as now (a new one each time it is moved off a lost host). */
  id: string;
  /** The id it was first sent as. */
  readonly first: string;
  /** The BullMQ job it travels in: its own (`id`), or a batch's. */
  job: string;
  /** Times moved off a lost host. */
  moves: number;
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
  /** Its task is safe to run twice (the pool's `idempotent`). */
  readonly idempotent: boolean;
  /** The job id of its speculative copy, once one was sent. */
  copy: string | undefined;
}

/** A chunk waiting to be added to the queue, and what settles its `added`. */
interface ToAdd {
  readonly chunk: Chunk;
  readonly resolve: (added: boolean) => void;
}

/** A chunk is checked in BullMQ once it has waited this long for a report. */
const CHECK_AFTER = 3000;
/** Most chunks checked per tick. */
const CHECKS_PER_TICK = 200;
/** Entries BullMQ keeps in the queue's event stream (it trims to about this many, by blocks of 100). */
const EVENTS_KEPT = 100;
/** The options of every chunk's BullMQ job. */
const JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: { age: 3600, count: 10_000 },
  // Attempts are for hosts that fail to run a chunk (a task's own errors are results, not failures).
  attempts: 3,
  backoff: { type: 'exponential', delay: 500 },
} as const;
/** A chunk straggles once it has run this many times its siblings' median (and at least STRAGGLER_FLOOR ms). */
const STRAGGLER_FACTOR = 4;
const STRAGGLER_FLOOR = 1000;
/** Siblings (chunks of the same task in this pool) that must have finished before one is called a straggler. */
const STRAGGLER_SIBLINGS = 3;
/**
 * Batches: the short chunks (the median of their task's recent chunks' run times on their hosts is under
 * the pool's `batchBelowMs`) given in one turn travel as one BullMQ job per host slot, at most
 * BATCH_CHUNKS chunks and BATCH_BYTES each.
 */
const BATCH_CHUNKS = 32;
const BATCH_BYTES = 1024 * 1024;
/** Run times kept per task, and how many must be known before its chunks are called short (their median). */
const RUN_TIMES_KEPT = 15;
const RUN_TIMES_NEEDED = 3;
/** Times a chunk is sent again before its call fails. */
const MAX_RESENDS = 5;

/** A wait is said (event, or one line on stderr) after this long, or a quarter of its timeout if sooner. */
const SAY_WAITS_AFTER = { 'no-host': 5000, redis: 3000, chunk: 10_000 } as const;

/**
 * The Backend over a BullMQ queue and the hosts that serve it.
 * `size` is live: without a fixed `processes`, the hosts' announced total.
 */
export class BullmqBackend implements Backend {
  /** Always `'bullmq'`. */
  readonly name = 'bullmq';
  /** Separate processes on other machines: values are copied, never moved or shared; a running chunk can be stopped. */
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
    // A cancelled chunk's host is told (a stop or a drop message), and its local pool tells the tasks.
    signalsTasks: true,
    // Jobs cross Redis as bytes: every value is copied (a host's own thread pool moves its buffers locally).
    transfers: false,
  };
  /** One job per host slot: a chunk a host takes early could not be cancelled by a fail-fast. */
  readonly jobsPerWorker = 1;
  /** Its workers are the slots of hosts on other machines: this machine's cores say nothing about its size. */
  readonly workersElsewhere = true;

  readonly #settings: BullmqBackendSettings;
  readonly #maxtasksperchild: number | undefined;
  /** What the hosts' local workers do with memory and late tasks: the pool's own options. */
  readonly #workerTerms: { readonly maxmemoryperchild: number | undefined; readonly grace: number | undefined };
  readonly #keys: Keys;
  readonly #poolId = randomBytes(8).toString('hex');
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #chunks = new Map<string, Chunk>();
  readonly #pending = new Set<Promise<unknown>>();
  #seq = 0;
  /** Chunks to add in this turn of the event loop, and the flush that adds them. */
  readonly #toAdd: ToAdd[] = [];
  #flushing: NodeJS.Immediate | undefined;
  /** An add is on its way to Redis. */
  #adding = false;
  /** The chunks of each batch job in flight (a report of the batch's own id is an error for all of them). */
  readonly #batches = new Map<string, Chunk[]>();
  /** The run times of each task's recent chunks on their hosts (ms), from their reports. */
  readonly #runMs = new Map<string, number[]>();
  readonly #resizeListeners = new Set<() => void>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #announced = 0;
  #hosts: HostInfo[] = [];
  #emit: EventSink = () => false;
  /** Recent run times (ms, from sending to the report) of chunks of idempotent tasks, by task. */
  readonly #durations = new Map<string, number[]>();
  #copiesWon = 0;
  /** Hosts seen lost (reported once each, unless they held more chunks of this pool). */
  readonly #lostSeen = new Map<string, HostInfo>();
  /** The waits already said, until they end. */
  readonly #said = new Set<WaitingEvent['reason']>();
  /** A connection problem waiting cannot fix (wrong password, refused certificate). */
  #fatal: Error | undefined;
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
    this.#workerTerms = { maxmemoryperchild: options.maxmemoryperchild, grace: options.grace };
    this.#keys = new Keys(settings.prefix, settings.queue);
    this.#client = createClient(settings.connection, `parapool:pool:${this.#poolId}`, { keepsProgramAlive: false });
    this.#reader = createClient(settings.connection, `parapool:pool:${this.#poolId}:results`, {
      keepsProgramAlive: false,
    });
    this.#queue = new Queue(settings.queue, {
      connection: this.#client,
      prefix: settings.prefix,
      // BullMQ's event stream is not read here (reports have their own streams): keep it short, not 10,000 long.
      streams: { events: { maxLen: EVENTS_KEPT } },
    });
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

  /** Where the backend's events go (createPool points it at the pool). */
  attach(emit: EventSink): void {
    this.#emit = emit;
  }

  async run(job: Job, control: JobControl): Promise<JobResult> {
    if (this.#state !== 'running') throw new PoolStateError('The bullmq backend is closed');
    if (this.#fatal) throw this.#fatal;
    if (control.cancelled) throw control.reason;
    // Rows packed as matrices travel as arrays here (chunks are split by bytes, item by item).
    // Items that ended in a run whose worker died (`ended`) go to each piece as its own.
    const { ended, ...unpacked }: EncodedJob = unpackJob(job);
    let pieces: Piece[];
    try {
      pieces = splitByBytes(unpacked, (part) => encode(this.#body(this.#remote(part))), this.#settings.maxChunkBytes);
    } catch (error) {
      if (isDataCloneError(error)) throw toCloneError(error, 'argument');
      throw error;
    }
    const name = taskLabel(job.task);
    const idempotent = isIdempotent(this.#settings.idempotent, job.task);
    const results: (JobResult | undefined)[] = pieces.map(() => undefined);
    await Promise.all(
      pieces.map(async (piece, at) => {
        if (!piece.body) {
          results[at] = oversized(piece, this.#settings.maxChunkBytes);
          return;
        }
        const own = ended && piecesEnded(ended, piece);
        if (own && own.length === piece.length) {
          results[at] = endedResult(own, piece.length); // every item of it ended before: nothing to run
          return;
        }
        // A piece of a job that may be sent again has a key of its own (a host's record file is named after it).
        const split = pieces.length > 1 && piece.part.resendKey !== undefined;
        const body =
          own || split
            ? encode(
                this.#body(
                  this.#remote({
                    ...piece.part,
                    ...(split ? { resendKey: `${piece.part.resendKey}.${piece.offset}` } : {}),
                    ...(own ? { ended: own } : {}),
                  }),
                ),
              )
            : piece.body;
        try {
          results[at] = await this.#submit(body, name, control, idempotent);
        } catch (error) {
          // Its worker died: what ended of the whole job (this piece's items and those of the pieces done)
          // goes with the crash, so that the core's next run of the job does not run them again.
          if ((error as Error | undefined)?.name !== 'WorkerCrashedError') throw error;
          throw carryEndedItems(error as Error, jobEnded(pieces, results, at, endedItemsCarried(error)));
        }
      }),
    );
    return mergeResults(pieces, results as JobResult[]);
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

  /**
   * The job as it crosses Redis: its tasks named for the hosts. Registered class instances stay
   * encoded (the host's task module registers the classes): only the codec's mark goes along.
   */
  #remote(job: EncodedJob): RemoteJob {
    const { task, initializer, codec, gate, gateCells, rowWidth, columnRowWidths, ...rest } = job;
    const { namer } = this.#settings;
    return {
      ...rest,
      task: namer.name(task),
      ...(codec ? { codec: { marked: codec.marked } } : {}),
      ...(initializer ? { initializer: { task: namer.name(initializer.task), args: initializer.args } } : {}),
    };
  }

  #body(job: RemoteJob): ChunkBody {
    return { job, processes: this.size, maxtasksperchild: this.#maxtasksperchild, ...this.#workerTerms };
  }

  #submit(body: Buffer, name: string, control: JobControl, idempotent: boolean): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      this.#seq += 1;
      const id = `${this.#poolId}.${this.#seq}`;
      const chunk: Chunk = {
        id,
        first: id,
        job: id,
        moves: 0,
        name,
        data: {
          w: WIRE_VERSION,
          pool: this.#poolId,
          node: process.versions.node,
          ttl: Math.max(10_000, this.#settings.callerTimeout * 4),
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
        idempotent,
        copy: undefined,
      };
      this.#chunks.set(chunk.id, chunk);
      this.#holdProgram();
      this.#startReading();
      this.#add(chunk);
      control.onCancel(() => this.#track(this.#cancel(chunk)));
    });
  }

  /**
   * Queues a chunk's job. The chunks given in one turn of the event loop (the core hands a call's first
   * chunks over at once, and the next ones as a read of the result stream settles several) go to Redis
   * together, in one `addBulk`: one round trip instead of one each.
   */
  #add(chunk: Chunk): void {
    chunk.sentAt = Date.now();
    chunk.missingSince = undefined;
    chunk.inRedis = false;
    chunk.added = new Promise<boolean>((resolve) => {
      this.#toAdd.push({ chunk, resolve });
    });
    if (!this.#adding) this.#flushing ??= setImmediate(() => this.#flushAdds());
  }

  #flushAdds(): void {
    this.#flushing = undefined;
    if (this.#adding) return;
    const batch: ToAdd[] = [];
    for (const entry of this.#toAdd.splice(0)) {
      // Settled while it waited for the flush (cancelled, the pool terminated): never sent.
      if (entry.chunk.settled || this.#state === 'stopped') entry.resolve(false);
      else batch.push(entry);
    }
    const jobs = this.#jobsOf(batch);
    const [one] = jobs;
    if (!one) return;
    const added = jobs.length === 1 ? this.#queue.add(one.name, one.data, one.opts) : this.#queue.addBulk(jobs);
    // One add on its way at a time: the chunks given meanwhile go together in the next (bigger batches).
    this.#adding = true;
    void added
      .catch(() => {})
      .finally(() => {
        this.#adding = false;
        if (this.#toAdd.length > 0) this.#flushAdds();
      });
    added.then(
      () => {
        for (const { chunk, resolve } of batch) {
          chunk.inRedis = true;
          resolve(true);
        }
      },
      (error: unknown) => {
        for (const { chunk, resolve } of batch) {
          this.#settle(chunk, error);
          resolve(false);
        }
      },
    );
  }

  /**
   * The BullMQ jobs of the chunks of one turn: a job each, except the short chunks of a task, which go in
   * batches, one per host slot (so every slot gets some), of at most BATCH_CHUNKS chunks and BATCH_BYTES.
   * Chunks of tasks marked idempotent always travel alone (a straggler's copy is of its own job).
   */
  #jobsOf(
    entries: readonly ToAdd[],
  ): Array<{ name: string; data: ChunkData; opts: typeof JOB_OPTIONS & { jobId: string } }> {
    const jobs: Array<{ name: string; data: ChunkData; opts: typeof JOB_OPTIONS & { jobId: string } }> = [];
    const single = (chunk: Chunk) => {
      const before = chunk.job;
      chunk.job = chunk.id;
      this.#forgetBatch(before);
      jobs.push({ name: chunk.name, data: chunk.data, opts: { jobId: chunk.id, ...JOB_OPTIONS } });
    };
    const byTask = new Map<string, Chunk[]>();
    const short = new Map<string, boolean>();
    const isShort = (name: string) => {
      let known = short.get(name);
      if (known === undefined) {
        // The median of its recent run times: a first chunk's (a local worker starting) does not count.
        const times = [...(this.#runMs.get(name) ?? [])].sort((x, y) => x - y);
        known =
          times.length >= RUN_TIMES_NEEDED &&
          (times[Math.floor(times.length / 2)] as number) < this.#settings.batchBelowMs;
        short.set(name, known);
      }
      return known;
    };
    for (const { chunk } of entries) {
      if (chunk.idempotent || !isShort(chunk.name) || chunk.data.body.length > BATCH_BYTES / 4) {
        single(chunk);
        continue;
      }
      const list = byTask.get(chunk.name) ?? [];
      list.push(chunk);
      byTask.set(chunk.name, list);
    }
    const slots = Math.max(1, this.#announced);
    for (const [name, chunks] of byTask) {
      const per = Math.min(BATCH_CHUNKS, Math.ceil(chunks.length / slots));
      let at = 0;
      while (at < chunks.length) {
        const group: Chunk[] = [];
        let bytes = 0;
        while (at < chunks.length && group.length < per) {
          const chunk = chunks[at] as Chunk;
          if (group.length > 0 && bytes + chunk.data.body.length > BATCH_BYTES) break;
          group.push(chunk);
          bytes += chunk.data.body.length;
          at += 1;
        }
        const [head] = group;
        if (!head) break;
        if (group.length === 1) {
          single(head);
          continue;
        }
        this.#seq += 1;
        const jobId = `${this.#poolId}.b${this.#seq}`;
        this.#batches.set(jobId, group);
        for (const chunk of group) {
          const before = chunk.job;
          chunk.job = jobId;
          this.#forgetBatch(before);
        }
        jobs.push({
          name,
          data: { ...head.data, body: '', batch: group.map((chunk) => ({ id: chunk.id, body: chunk.data.body })) },
          opts: { jobId, ...JOB_OPTIONS },
        });
      }
    }
    return jobs;
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
    const batch = this.#batches.get(chunk.job);
    if (batch) {
      // A batch leaves the queue once none of its chunks is wanted; else its host skips this one.
      const jobId = chunk.job;
      const members = batch.filter((other) => other.job === jobId);
      if (first && members.every((other) => other.settled || other.control.cancelled)) {
        if ((await this.#queue.remove(jobId)) === 1) {
          for (const other of members) this.#settle(other, other.control.reason);
          return;
        }
      }
    } else if (first && (await this.#queue.remove(chunk.id)) === 1) {
      this.#settle(chunk, chunk.control.reason); // it never started and never will
      return;
    }
    // A drop tells the host too, so the chunk's running tasks hear it through taskSignal(); then the
    // host's report (result, dropped or stopped) settles it.
    await this.#publish(mode === 'stop' ? { stop: chunk.id } : { drop: chunk.id });
  }

  #publish(message: ControlMessage): Promise<number> {
    return this.#client.publish(this.#keys.control(), JSON.stringify(message));
  }

  #settle(chunk: Chunk, error: unknown, result?: JobResult, from?: string): void {
    if (chunk.settled) return;
    chunk.settled = true;
    this.#chunks.delete(chunk.id);
    this.#forgetBatch(chunk.job);
    if (chunk.copy !== undefined) {
      // Speculation: the first report wins; the other job is stopped and never reported.
      this.#chunks.delete(chunk.copy);
      const copyWon = from === chunk.copy;
      const loser = copyWon ? chunk.id : chunk.copy;
      this.#track(this.#dropLost(loser, loser, false));
      if (copyWon) this.#copiesWon += 1;
    } else if (result && chunk.idempotent) {
      const times = this.#durations.get(chunk.name) ?? [];
      times.push(Date.now() - chunk.sentAt);
      if (times.length > 50) times.shift();
      this.#durations.set(chunk.name, times);
    }
    this.#releaseProgram();
    if (chunk.control.cancelled) chunk.reject(chunk.control.reason);
    else if (result) chunk.resolve(result);
    else chunk.reject(error);
  }

  /** Forgets a batch once none of its chunks is still out in it (settled, or sent again in another job). */
  #forgetBatch(jobId: string): void {
    const batch = this.#batches.get(jobId);
    if (batch?.every((other) => other.settled || other.job !== jobId)) this.#batches.delete(jobId);
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
    const batch = chunkId === undefined ? undefined : this.#batches.get(chunkId);
    if (batch && raw !== undefined) {
      // A whole batch failed (its host could not read it, or BullMQ failed it for good): each of its chunks.
      let report: Report | undefined;
      try {
        report = decode<Report>(raw, 'a host');
      } catch {}
      if (report && 'error' in report) {
        for (const each of batch) if (each.job === chunkId) this.#settle(each, hostError(report.error, report.host));
      }
      return;
    }
    if (!chunk || chunk.settled || raw === undefined) return; // a duplicate (the chunk ran twice), or not ours
    let report: Report;
    try {
      report = decode<Report>(raw, 'a host');
    } catch (error) {
      this.#settle(chunk, error);
      return;
    }
    if ('result' in report && report.ms !== undefined) {
      const times = this.#runMs.get(chunk.name) ?? [];
      times.push(report.ms);
      if (times.length > RUN_TIMES_KEPT) times.shift();
      this.#runMs.set(chunk.name, times);
    }
    if ('result' in report) this.#settle(chunk, undefined, report.result, chunkId);
    else if ('error' in report) {
      const error = hostError(report.error, report.host);
      this.#settle(chunk, report.ended ? carryEndedItems(error, report.ended) : error, undefined, chunkId);
    } else if (chunkId === chunk.copy)
      return; // a copy dropped: the chunk itself still runs
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
        await this.#checkStragglers();
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
    const previous = this.#hosts;
    this.#hosts = await liveHosts(this.#client, this.#keys);
    await this.#findLostHosts(previous);
    const before = this.size;
    this.#announced = this.#hosts.reduce((sum, host) => sum + host.concurrency, 0);
    if (this.size !== before) for (const listener of [...this.#resizeListeners]) listener();
    if (this.#hosts.length > 0) this.#noHostSince = undefined;
  }

  /**
   * Hosts that went silent (their announcement expired, not withdrawn): the ones this pool saw,
   * and the ones holding its chunks (BullMQ writes the taker's name, the host's id, into each job:
   * a host may take a chunk and die before this pool ever read its announcement). The chunks of
   * this pool a lost host was running are sent again as new jobs at once, instead of after BullMQ's
   * lock expires; their old jobs are marked `moved`: if the host comes back, it stops them, and its
   * reports of them are never written.
   */
  async #findLostHosts(previous: readonly HostInfo[]): Promise<void> {
    const live = new Set(this.#hosts.map((host) => host.id));
    const inFlight = [...this.#chunks.values()].filter((chunk) => chunk.inRedis && !chunk.settled);
    const holders = new Map<string, Chunk[]>();
    if (inFlight.length > 0) {
      const pipeline = this.#client.pipeline();
      for (const chunk of inFlight) pipeline.hget(this.#keys.job(chunk.job), 'pb');
      const replies = ((await pipeline.exec()) ?? []).map(([, value]) => value);
      inFlight.forEach((chunk, i) => {
        const holder = replies[i];
        if (typeof holder !== 'string' || live.has(holder)) return;
        holders.set(holder, [...(holders.get(holder) ?? []), chunk]);
      });
    }
    const suspects = new Set([...holders.keys()]);
    for (const host of previous) if (!live.has(host.id) && !this.#lostSeen.has(host.id)) suspects.add(host.id);
    if (suspects.size === 0) return;
    const lost = await lostHosts(this.#client, this.#keys, [...suspects]);
    for (const id of lost) {
      const chunks = holders.get(id) ?? [];
      if (chunks.length === 0 && this.#lostSeen.has(id)) continue;
      const info = previous.find((host) => host.id === id) ?? this.#lostSeen.get(id) ?? hostFromId(id);
      await this.#hostLost(info, chunks);
    }
  }

  async #hostLost(host: HostInfo, candidates: readonly Chunk[]): Promise<void> {
    let held: Chunk[] = [];
    if (candidates.length > 0) {
      // Only those it still runs: BullMQ may have given one back to the queue already.
      const pipeline = this.#client.pipeline();
      for (const chunk of candidates) pipeline.lpos(this.#keys.active(), chunk.job);
      const replies = ((await pipeline.exec()) ?? []).map(([, value]) => value);
      held = candidates.filter((chunk, i) => replies[i] !== null && !chunk.settled);
    }
    const first = !this.#lostSeen.has(host.id);
    this.#lostSeen.set(host.id, host);
    if (this.#lostSeen.size > 1000) this.#lostSeen.delete(this.#lostSeen.keys().next().value as string);
    if (!first && held.length === 0) return;
    const ids = held.map((chunk) => chunk.first);
    await Promise.all(held.map((chunk) => this.#move(chunk, host)));
    const message = `parapool: host ${host.host} (pid ${host.pid}, ${host.id}) stopped its heartbeat${host.ttl ? ` for ${host.ttl} ms` : ''}: ${ids.length} chunk(s) of this pool it held were sent to the other hosts`;
    if (!this.#emit('hostLost', { host, chunks: ids, message })) process.stderr.write(`${message}\n`);
  }

  /** Sends a chunk again as a new job; its old job is marked moved (stopped, never reported). */
  async #move(chunk: Chunk, host: HostInfo): Promise<void> {
    if (chunk.settled) return;
    const old = chunk.id;
    const oldJob = chunk.job;
    if (chunk.moves >= this.#settings.maxHostLosses) {
      // A chunk whose every host is lost may be what kills them: it ends, it does not cycle for ever.
      this.#settle(chunk, hostLostError(chunk.moves + 1, host));
      await this.#dropLost(old, oldJob);
      return;
    }
    chunk.moves += 1;
    chunk.id = `${chunk.first}.m${chunk.moves}`;
    this.#chunks.delete(old);
    this.#chunks.set(chunk.id, chunk);
    await this.#dropLost(old, oldJob);
    this.#add(chunk);
  }

  /**
   * Drops the job a lost host held: marked moved (if the host comes back, it stops it and never reports
   * it), and removed with the lock the host can no longer renew (what BullMQ does once the lock expires).
   */
  async #dropLost(chunkId: string, jobId: string, hostLost = true): Promise<void> {
    await this.#client.set(this.#keys.cancel(chunkId), 'moved', 'PX', 3_600_000);
    this.#track(this.#publish({ stop: chunkId }));
    this.#track(
      (async () => {
        // A live host's lock stays: it stops the job and completes it (unreported) itself.
        if (hostLost) await this.#client.del(this.#keys.lock(jobId));
        await this.#queue.remove(jobId);
      })(),
    );
  }

  /**
   * Stragglers: when this pool has nothing waiting in the queue and the hosts have idle slots, a
   * chunk of a task marked safe to run twice that has run far longer than its siblings (STRAGGLER_FACTOR
   * times their median, and at least STRAGGLER_FLOOR ms) gets one copy, as another job; the first
   * report of the two wins, and the other is stopped and never reported.
   */
  async #checkStragglers(): Promise<void> {
    if (this.#settings.idempotent.size === 0) return;
    const now = Date.now();
    const candidates = [...this.#chunks.values()].filter((chunk) => {
      if (!chunk.idempotent || chunk.copy !== undefined || !chunk.inRedis || chunk.settled) return false;
      const times = this.#durations.get(chunk.name);
      if (!times || times.length < STRAGGLER_SIBLINGS) return false;
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
      return now - chunk.sentAt >= Math.max(STRAGGLER_FLOOR, STRAGGLER_FACTOR * median);
    });
    if (candidates.length === 0) return;
    const counts = await this.#queue.getJobCounts('waiting', 'prioritized', 'active');
    let idle = this.#announced - (counts.active ?? 0);
    if ((counts.waiting ?? 0) + (counts.prioritized ?? 0) > 0 || idle <= 0) return;
    for (const chunk of candidates) {
      if (idle <= 0 || chunk.settled || (await this.#queue.getJobState(chunk.id)) !== 'active') continue;
      idle -= 1;
      chunk.copy = `${chunk.first}.s`;
      this.#chunks.set(chunk.copy, chunk);
      this.#track(this.#queue.add(chunk.name, chunk.data, { jobId: chunk.copy, ...JOB_OPTIONS }));
    }
  }

  /** Speculative copies that reported first. */
  get copiesWon(): number {
    return this.#copiesWon;
  }

  /** Finds chunks that failed in BullMQ or vanished from Redis without a report. */
  async #checkChunks(): Promise<void> {
    const now = Date.now();
    const due = [...this.#chunks.values()]
      .filter((chunk) => chunk.inRedis && !chunk.settled && now - chunk.sentAt >= CHECK_AFTER)
      .slice(0, CHECKS_PER_TICK);
    if (due.length === 0) return;
    const generation = this.#generation;
    const asked = new Map<string, ReturnType<Queue['getJobState']>>();
    const states = await Promise.all(
      due.map((chunk) => {
        const state = asked.get(chunk.job) ?? this.#queue.getJobState(chunk.job);
        asked.set(chunk.job, state);
        return state;
      }),
    );
    const waited = due
      .filter((chunk, i) => (states[i] === 'waiting' || states[i] === 'prioritized') && !chunk.settled)
      .map((chunk) => now - chunk.sentAt);
    const longest = Math.max(0, ...waited);
    // With no host at all, the no-host wait is what is said (once): a chunk waits for a host to start.
    if (this.#hosts.length > 0 && longest >= Math.min(SAY_WAITS_AFTER.chunk, this.#settings.hostTimeout / 4)) {
      this.#say(
        'chunk',
        longest,
        `parapool: a chunk has waited ${Math.round(longest / 1000)} s in queue '${this.#settings.queue}' for a free host (${this.#hosts.length} host(s), ${this.#announced} slot(s), busy with other work?): start more hosts or give them more --concurrency`,
      );
    } else if (waited.length === 0) this.#said.delete('chunk');
    for (const [i, chunk] of due.entries()) {
      if (chunk.settled) continue;
      const state = states[i];
      if (state === 'failed') {
        const job = await BullJob.fromId(this.#queue, chunk.job);
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

  /** Says a wait once (an event, or one line on stderr if nobody listens), until it ends. */
  #say(reason: WaitingEvent['reason'], ms: number, message: string): void {
    if (this.#said.has(reason)) return;
    this.#said.add(reason);
    if (!this.#emit('waiting', { reason, ms, message })) process.stderr.write(`${message}\n`);
  }

  #checkTimeouts(): void {
    if (this.#state === 'stopped') return;
    const where = `${describeConnection(this.#settings.connection)}, queue '${this.#settings.queue}'`;
    const problem =
      this.#client.status === 'ready' ? undefined : fatalConnectionProblem(lastConnectionError(this.#client));
    if (problem && !this.#fatal) {
      // Waiting cannot fix it: the work fails now, and so does the work given later.
      this.#fatal = new RedisUnavailableError(`Redis at ${where}: ${problem}.`);
      this.#failAll(this.#fatal);
      if (!this.#readyDone) this.#ready.reject(this.#fatal);
      this.#releaseProgram();
      return;
    }
    const now = Date.now();
    const waitingForRedis = this.#chunks.size > 0 || !this.#readyDone;
    if (this.#redisDownSince === undefined) this.#said.delete('redis');
    else if (
      waitingForRedis &&
      now - this.#redisDownSince >= Math.min(SAY_WAITS_AFTER.redis, this.#settings.redisTimeout / 4)
    ) {
      const last = lastConnectionError(this.#client);
      this.#say(
        'redis',
        now - this.#redisDownSince,
        `parapool: Redis at ${describeConnection(this.#settings.connection)} has not answered for ${Math.round((now - this.#redisDownSince) / 1000)} s${last ? ` (${last.message})` : ''}; work fails with RedisUnavailableError after ${this.#settings.redisTimeout} ms`,
      );
    }
    if (this.#hosts.length > 0) this.#said.delete('no-host');
    if (this.#chunks.size === 0) {
      if (this.#hosts.length === 0) this.#noHostSince = undefined;
      return;
    }
    if (this.#redisDownSince !== undefined && now - this.#redisDownSince >= this.#settings.redisTimeout) {
      this.#failAll(
        new RedisUnavailableError(
          `Redis at ${describeConnection(this.#settings.connection)} could not be reached for ${this.#settings.redisTimeout} ms${lastConnectionError(this.#client) ? ` (${lastConnectionError(this.#client)?.message})` : ''}: check that redis-server runs there and the connection options (redisTimeout sets how long work waits).`,
        ),
      );
      if (!this.#readyDone) this.#ready.reject(new RedisUnavailableError(`Redis at ${where} could not be reached`));
      return;
    }
    if (this.#redisDownSince === undefined && this.#hosts.length === 0) {
      this.#noHostSince ??= now;
      const waited = now - this.#noHostSince;
      if (waited >= Math.min(SAY_WAITS_AFTER['no-host'], this.#settings.hostTimeout / 4)) {
        this.#say(
          'no-host',
          waited,
          `parapool: no parapool-worker serves ${where} (waited ${Math.round(waited / 1000)} s; work fails with NoHostsError after ${this.#settings.hostTimeout} ms): start one (npx parapool-worker --redis <url> --queue ${this.#settings.queue} --root <folder of the code>)`,
        );
      }
      if (waited >= this.#settings.hostTimeout) {
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
      if (chunk.inRedis) this.#track(this.#dropQuietly(chunk.id, chunk.job));
    }
  }

  async #dropQuietly(id: string, jobId: string): Promise<void> {
    await this.#client.set(this.#keys.cancel(id), 'drop', 'PX', 3_600_000);
    await this.#queue.remove(jobId);
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
      await settlesWithin(Promise.all([...this.#pending]), 2000);
      await settlesWithin(
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
    await settlesWithin(this.#queue.close(), 1000);
    // The reader may be blocked in XREAD: a polite QUIT would wait for it.
    this.#reader.disconnect();
    await closeClient(this.#client);
    this.#wake?.();
    await settlesWithin(this.#reading ?? Promise.resolve(), 2000);
    clearInterval(keepAlive);
  }
}

/** The key `idempotent` holds a task by. */
export function taskKey(task: TaskRef): string {
  return task.kind === 'module' ? `${task.module}#${task.name}` : `inline:${task.source}`;
}

function isIdempotent(set: ReadonlySet<string>, task: TaskRef): boolean {
  return set.size > 0 && set.has(taskKey(task));
}

/** What is known of a host from its id alone (`<hostname>.<pid>.<random>`), when this pool never read its announcement. */
function hostFromId(id: string): HostInfo {
  const parts = id.split('.');
  const pid = Number(parts.at(-2));
  return {
    id,
    host: parts.slice(0, -2).join('.') || id,
    pid: Number.isInteger(pid) ? pid : 0,
    concurrency: 0,
    backend: 'unknown',
    node: 'unknown',
    allowInline: false,
    started: 0,
    heartbeat: 0,
    ttl: 0,
  };
}

/** The error of a chunk whose host was lost each time it ran. */
function hostLostError(times: number, host: HostInfo): Error {
  const error = new WorkerCrashedError({ reason: 'its host was lost' });
  error.message = `The host running this chunk was lost (its heartbeat stopped) each of the ${times} times it ran, last ${host.host} pid ${host.pid}. A task that kills its whole host process (process.kill, a native crash, the host running out of memory) fails its call after a bounded number of runs (the pool's maxHostLosses + 1); the other hosts keep serving.`;
  return error;
}

/** A whole-chunk error from a host, naming the host. */
function hostError(data: SerializedError, host: string): Error {
  const error = deserializeError(data);
  error.message = `${error.message} (host: ${host})`;
  return error;
}
