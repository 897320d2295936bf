/** Who a worker is, as insights and events name it. */
export interface WorkerRef {
  /** Number of the worker within its pool (1, 2, …; a replacement gets the next number). */
  readonly id: number;
  /** OS process id, once known. */
  readonly pid?: number;
  /** Thread id, for thread workers, once known. */
  readonly threadId?: number;
}

/**
 * Why a worker left the pool: it died (`crash`), was recycled (`recycle`, see
 * {@link RecycleCause}), its running job was aborted (`abort`), a task on it
 * ran past its timeout and the grace period after its signal (`timeout`), or
 * the pool stopped (`stop`).
 */
export type WorkerEndReason = 'crash' | 'recycle' | 'abort' | 'timeout' | 'stop';

/** Why a worker was recycled: it ran `maxtasksperchild` jobs, or its heap was above `maxmemoryperchild` after one. */
export type RecycleCause = 'maxtasksperchild' | 'maxmemoryperchild';

/** What happened to a worker (see the pool's `worker*` events). */
export interface WorkerEvent {
  /** What happened: the worker started, exited, crashed, was recycled, or was replaced by a new one. */
  readonly type: 'start' | 'exit' | 'crash' | 'recycle' | 'replace';
  /** The worker it happened to. */
  readonly worker: WorkerRef;
  /** `crash`: what the worker died of. */
  readonly error?: Error;
  /** `replace`: why the worker was replaced. */
  readonly reason?: Exclude<WorkerEndReason, 'stop'>;
  /** `recycle`, and `replace` after one: what made the pool recycle it. */
  readonly cause?: RecycleCause;
  /** `replace`: the worker that takes its place. */
  readonly replacement?: WorkerRef;
}

/** One worker's figures since the start of the insights window. */
export interface WorkerInsight extends WorkerRef {
  /** Still in the pool. */
  readonly alive: boolean;
  /** The worker this one replaced. */
  readonly replaces?: number;
  /**
   * Its start-up: from spawn to ready (when the backend says when a worker is ready), and the time its
   * jobs spent loading task modules it had not loaded yet (`loadingMs`), which is not counted as busy.
   */
  readonly startupMs?: number;
  /** Of `startupMs`, the time spent loading task modules (importing them, compiling TypeScript), when any. */
  readonly loadingMs?: number;
  /** Jobs (chunks) run. */
  readonly jobs: number;
  /** Items run (the items of those chunks). */
  readonly items: number;
  /** Time spent running jobs, in milliseconds. */
  readonly busyMs: number;
  /** Time spent waiting for a job, in milliseconds. */
  readonly idleMs: number;
  /** busy / (busy + idle), in [0, 1]. */
  readonly utilization: number;
  /** Why it left the pool, if it did (`error`: the crash's message; `cause`: a recycle's). */
  readonly ended?: {
    /** Why it left. */
    readonly reason: WorkerEndReason;
    /** A crash's message. */
    readonly error?: string;
    /** What made the pool recycle it. */
    readonly cause?: RecycleCause;
  };
}

/** A listener of worker events. */
export type WorkerListener = (event: WorkerEvent) => void;

class WorkerRecord {
  readonly id: number;
  pid: number | undefined;
  threadId: number | undefined;
  readonly replaces: number | undefined;
  readonly spawnedAt = performance.now();
  readyAt: number | undefined;
  windowStart: number;
  busySince: number | undefined;
  busyMs = 0;
  /** Time its jobs spent loading task modules: in all, and in this insights window. */
  loadingMs = 0;
  windowLoadingMs = 0;
  jobs = 0;
  items = 0;
  endedAt: number | undefined;
  ended: { reason: WorkerEndReason; error?: string; cause?: RecycleCause } | undefined;

  constructor(id: number, replaces: number | undefined) {
    this.id = id;
    this.replaces = replaces;
    this.windowStart = this.spawnedAt;
  }

  ref(): WorkerRef {
    const ref: { id: number; pid?: number; threadId?: number } = { id: this.id };
    if (this.pid !== undefined) ref.pid = this.pid;
    if (this.threadId !== undefined) ref.threadId = this.threadId;
    return ref;
  }

  insight(now: number): WorkerInsight {
    const end = this.endedAt ?? now;
    const busy = this.busyMs + (this.busySince !== undefined ? end - Math.max(this.busySince, this.windowStart) : 0);
    const upSince = Math.max(this.readyAt ?? this.spawnedAt, this.windowStart);
    const idle = Math.max(0, end - upSince - busy - this.windowLoadingMs);
    const ready = this.readyAt !== undefined ? this.readyAt - this.spawnedAt : undefined;
    const startup = ready === undefined && this.loadingMs === 0 ? undefined : (ready ?? 0) + this.loadingMs;
    const out: WorkerInsight = {
      ...this.ref(),
      alive: this.endedAt === undefined,
      jobs: this.jobs,
      items: this.items,
      busyMs: busy,
      idleMs: idle,
      utilization: busy + idle > 0 ? Math.min(1, busy / (busy + idle)) : 0,
      ...(this.replaces !== undefined ? { replaces: this.replaces } : {}),
      ...(startup !== undefined ? { startupMs: startup } : {}),
      ...(this.loadingMs > 0 ? { loadingMs: this.loadingMs } : {}),
      ...(this.ended ? { ended: this.ended } : {}),
    };
    return out;
  }
}

/** Most ended workers kept in the log (a crash loop must not grow it without bound). */
const MAX_ENDED = 256;

/**
 * The life of a backend's workers, for insights and events: when each started,
 * how long it was busy, how many jobs and items it ran, and why it left.
 * Always on: a few numbers per job.
 */
export class WorkerLog {
  readonly #records = new Map<number, WorkerRecord>();
  readonly #listeners = new Set<WorkerListener>();
  #nextId = 1;
  #ended = 0;

  /** Calls `listener` with every worker event; returns a function that stops it. */
  listen(listener: WorkerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new worker (replacing `replaces`, if it does); returns its id. */
  spawned(replaces?: number): number {
    const id = this.#nextId++;
    this.#records.set(id, new WorkerRecord(id, replaces));
    return id;
  }

  identify(id: number, identity: { pid?: number; threadId?: number }): void {
    const record = this.#records.get(id);
    if (!record) return;
    if (identity.pid !== undefined) record.pid = identity.pid;
    if (identity.threadId !== undefined) record.threadId = identity.threadId;
  }

  ready(id: number): void {
    const record = this.#records.get(id);
    if (!record || record.readyAt !== undefined) return;
    record.readyAt = performance.now();
    this.#emit({ type: 'start', worker: record.ref() });
  }

  busy(id: number): void {
    const record = this.#records.get(id);
    if (record && record.busySince === undefined) record.busySince = performance.now();
  }

  /**
   * A job ended on the worker (`items` run); `loadMs` of it went to loading task modules, which counts
   * as the worker's start-up, not as busy.
   */
  idle(id: number, items: number, loadMs = 0): void {
    const record = this.#records.get(id);
    if (!record || record.busySince === undefined) return;
    const busy = performance.now() - Math.max(record.busySince, record.windowStart);
    const loading = Math.min(loadMs, busy);
    record.busyMs += busy - loading;
    record.loadingMs += loading;
    record.windowLoadingMs += loading;
    record.busySince = undefined;
    record.jobs += 1;
    record.items += items;
  }

  /** The worker left the pool; `replacement` took its place, if one did. */
  ended(id: number, reason: WorkerEndReason, error?: Error, replacement?: number, cause?: RecycleCause): void {
    const record = this.#records.get(id);
    if (!record || record.endedAt !== undefined) return;
    if (record.busySince !== undefined) {
      record.busyMs += performance.now() - Math.max(record.busySince, record.windowStart);
      record.busySince = undefined;
    }
    record.endedAt = performance.now();
    record.ended = {
      reason,
      ...(error ? { error: `${error.name}: ${error.message}` } : {}),
      ...(cause ? { cause } : {}),
    };
    const because = cause ? { cause } : {};
    if (reason === 'crash') this.#emit({ type: 'crash', worker: record.ref(), ...(error ? { error } : {}) });
    if (reason === 'recycle') this.#emit({ type: 'recycle', worker: record.ref(), ...because });
    if (replacement !== undefined && reason !== 'stop') {
      const next = this.#records.get(replacement);
      this.#emit({
        type: 'replace',
        worker: record.ref(),
        reason,
        ...because,
        ...(next ? { replacement: next.ref() } : {}),
      });
    }
    this.#ended++;
    if (this.#ended > MAX_ENDED) this.#forgetOldestEnded();
  }

  /** The worker's process or thread is gone. */
  exited(id: number): void {
    const record = this.#records.get(id);
    if (record) this.#emit({ type: 'exit', worker: record.ref() });
  }

  /** Every worker's figures; with `reset`, a fresh window starts after this reading. */
  insights(reset = false): WorkerInsight[] {
    const now = performance.now();
    const out = [...this.#records.values()].map((record) => record.insight(now));
    if (reset) {
      for (const [id, record] of this.#records) {
        if (record.endedAt !== undefined) {
          this.#records.delete(id);
          continue;
        }
        record.windowStart = now;
        record.busyMs = 0;
        record.windowLoadingMs = 0;
        record.jobs = 0;
        record.items = 0;
      }
      this.#ended = 0;
    }
    return out;
  }

  #forgetOldestEnded(): void {
    for (const [id, record] of this.#records) {
      if (record.endedAt !== undefined) {
        this.#records.delete(id);
        this.#ended--;
        return;
      }
    }
  }

  #emit(event: WorkerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not break the pool: report it as Node reports an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
