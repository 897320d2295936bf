/**
 * The Redis keys parapool keeps beside a BullMQ queue, shared by callers and
 * hosts. All live under `<prefix>:<queue>:pp:`; BullMQ's own keys are
 * `<prefix>:<queue>:<jobId>` and job ids cannot hold a colon, so the two never meet.
 */
export class Keys {
  readonly base: string;

  constructor(prefix: string, queue: string) {
    this.base = `${prefix}:${queue}:pp`;
  }

  /** A caller pool's heartbeat: while it exists, hosts run the pool's chunks. */
  pool(poolId: string): string {
    return `${this.base}:pool:${poolId}`;
  }

  /** The stream hosts append a pool's chunk reports to; only that pool reads it. */
  results(poolId: string): string {
    return `${this.base}:results:${poolId}`;
  }

  /** Set when a chunk is no longer wanted: `drop` (never start it) or `stop` (stop it if running). */
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

/** Messages on the control channel. */
export type ControlMessage = { readonly stop: string } | { readonly end: string; readonly terminate: boolean };
