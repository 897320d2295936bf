/**
 * The Redis keys parapool keeps beside a BullMQ queue, shared by callers and
 * hosts. All live under `<prefix>:<queue>:pp:`; BullMQ's own keys are
 * `<prefix>:<queue>:<jobId>` and job ids cannot hold a colon, so the two never meet.
 */
export class Keys {
  readonly base: string;
  /** BullMQ's own keys of the queue start with this. */
  readonly bull: string;

  constructor(prefix: string, queue: string) {
    this.bull = `${prefix}:${queue}`;
    this.base = `${prefix}:${queue}:pp`;
  }

  /** BullMQ's hash of one job (its `pb` field names the worker, here the host, that took it). */
  job(jobId: string): string {
    return `${this.bull}:${jobId}`;
  }

  /** BullMQ's lock of a running job (held by the worker running it, renewed while it runs). */
  lock(jobId: string): string {
    return `${this.bull}:${jobId}:lock`;
  }

  /** BullMQ's list of the queue's running jobs. */
  active(): string {
    return `${this.bull}:active`;
  }

  /** A caller pool's heartbeat: while it exists, hosts run the pool's chunks. */
  pool(poolId: string): string {
    return `${this.base}:pool:${poolId}`;
  }

  /** The stream hosts append a pool's chunk reports to; only that pool reads it. */
  results(poolId: string): string {
    return `${this.base}:results:${poolId}`;
  }

  /**
   * Set when a chunk's job is no longer wanted: `drop` (never start it), `stop` (stop it if running),
   * `moved` (its host was lost and the chunk was sent again as another job: stop it and never report it).
   */
  cancel(chunkId: string): string {
    return `${this.base}:cancel:${chunkId}`;
  }

  /** One host's announcement (JSON), expiring unless the host renews it. */
  host(hostId: string): string {
    return `${this.base}:host:${hostId}`;
  }

  /** The ids of the hosts that announced themselves (some may have expired since). */
  hosts(): string {
    return `${this.base}:hosts`;
  }

  /** Pub/sub channel for stops and pool ends: the fast path (hosts also poll the keys above). */
  control(): string {
    return `${this.base}:control`;
  }
}

/** What a cancel key holds. */
export type CancelMark = 'drop' | 'stop' | 'moved';

/** Messages on the control channel. */
export type ControlMessage =
  | { readonly stop: string }
  /** A plain cancel of a running chunk (its call failed fast, or was left): its tasks' signals abort, and it runs on. */
  | { readonly drop: string }
  | { readonly end: string; readonly terminate: boolean };
