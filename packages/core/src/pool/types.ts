import type { EventEmitter } from 'node:events';
import type { BackendCapabilities } from '../backends/backend.js';
import type { WorkerEvent } from '../backends/worker-log.js';
import type { TaskFunction } from '../tasks.js';
import type { AsyncOptions, AsyncResult } from './async-result.js';
import type { PoolInsights } from './insights.js';

/**
 * A task: a handle from `defineTasks`, or a self-contained inline function.
 * Written as the function's own type so that arguments and results are checked.
 */
export type Task<F extends TaskFunction = TaskFunction> = F;

/** Options every pool accepts. */
export interface PoolOptions {
  /** Number of workers. Default: `cpuCount()` (the CPUs this process may use: affinity and container CPU quota). */
  processes?: number;
  /** Runs once in each worker before its first task. */
  initializer?: TaskFunction;
  /** Arguments for `initializer`. */
  initargs?: readonly unknown[];
  /** Replace a worker after it has run this many jobs (a chunk is one job). Default: never. */
  maxtasksperchild?: number;
  /**
   * Megabytes: after a job, a worker whose heap is above this is retired and
   * replaced (a `recycle` with cause `maxmemoryperchild`). Default: never.
   */
  maxmemoryperchild?: number;
  /** The default `timeout` of every call (ms per task call); a call's own wins. Default: none. */
  timeout?: number;
  /** The default `retries` of every call; a call's own wins. Default 0. */
  retries?: number;
  /**
   * Milliseconds a task gets after its `taskSignal()` aborted on a timeout
   * before its worker is stopped and replaced. Default 1000.
   */
  grace?: number;
}

/** Options of every call. */
export interface CallOptions {
  /** Aborting rejects the call at once with the signal's reason; unstarted chunks never start. */
  signal?: AbortSignal;
  /**
   * Milliseconds each task call (one item of a map, one apply) may run: one
   * that runs longer fails with TaskTimeoutError, as a thrown error would fail
   * it, and its `taskSignal()` aborts. Default: the pool's `timeout`, or none.
   */
  timeout?: number;
  /**
   * How many times the items of a job whose worker died (WorkerCrashedError:
   * an exit, a fatal error, out of memory, a kill) run again on a fresh
   * worker. Never retried: a task's own error, a timeout, an abort. Default:
   * the pool's `retries`, or 0.
   */
  retries?: number;
}

/** Progress of a map-like call, reported after each finished chunk. */
export interface Progress {
  /** Items finished so far. */
  done: number;
  /** Number of items, when known (unknown for imap over a lazy input). */
  total?: number;
}

/** Options of map, starmap, imap and imapUnordered. */
export interface MapOptions extends CallOptions {
  /**
   * Items per job. Default: Python's `ceil(n / (4 * processes))` for map/starmap, 1 for imap.
   * `'auto'`: chunks start at 1 and grow while moving a chunk costs more than a tenth of the work
   * in it, so tiny items stop paying one message each while the first results still come at once
   * (Python has no such option). On map/starmap the chunks are then sent as earlier ones finish
   * (a chunk's size depends on them), at most `2 × processes` at a time.
   */
  chunksize?: number | 'auto';
  /** Called after each chunk finishes. */
  onProgress?: (progress: Progress) => void;
  /**
   * A progress bar on stderr while the call runs (when stderr is a terminal;
   * otherwise one summary line at the end). `{ label }` names the bar.
   * Works together with `onProgress`.
   */
  progress?:
    | boolean
    | {
        /** The text in front of the bar (default: the method and the task, e.g. `map square`). */
        label?: string;
      };
}

/** Options of imap and imapUnordered: those of map (`chunksize` defaults to 1, Python's). */
export interface ImapOptions extends MapOptions {}

/** The events a pool emits about its workers, each with a {@link WorkerEvent}. */
export interface PoolEvents {
  /** A worker is up (for backends that say when; otherwise when it was started). */
  workerStart: [event: WorkerEvent];
  /** A worker's thread or process is gone (after a crash, a recycle, an abort, close or terminate). */
  workerExit: [event: WorkerEvent];
  /** A worker died on its own (`event.error` says of what); only the job it held failed. */
  workerCrash: [event: WorkerEvent];
  /** A worker reached `maxtasksperchild`, or its heap was above `maxmemoryperchild` after a job, and is retired (`event.cause` says which). */
  workerRecycle: [event: WorkerEvent];
  /** A fresh worker took a retired one's place (`event.reason`: crash, recycle, abort or timeout). */
  workerReplace: [event: WorkerEvent];
}

/** The arguments of `apply`: may be omitted when the task needs none. */
export type ApplyArgs<A extends unknown[], O> = [] extends A ? [args?: A, options?: O] : [args: A, options?: O];

/** Python's `multiprocessing.Pool`, on any backend. Emits {@link PoolEvents} about its workers. */
export interface Pool extends AsyncDisposable, EventEmitter<PoolEvents> {
  /** Number of workers. */
  readonly processes: number;
  /** Backend name: 'inline', or an adapter's ('piscina', 'tinypool', 'threads', 'child-process', 'workerpool', 'poolifier', ...). */
  readonly backend: string;
  /** What the backend can do (stop running tasks, isolate crashes...). */
  readonly capabilities: BackendCapabilities;

  /**
   * Runs `task(...args)` in a worker and resolves with its result.
   *
   * @example
   * ```ts
   * const sum = await pool.apply(tasks.add, [2, 3]); // 5
   * const ready = await pool.apply(tasks.warmUp); // a task of no arguments
   * ```
   */
  apply<A extends unknown[], R>(task: (...args: A) => R, ...rest: ApplyArgs<A, CallOptions>): Promise<Awaited<R>>;
  /**
   * Like `apply`, returning an AsyncResult; calls made in one tick are sent in batches.
   *
   * @example
   * ```ts
   * const results = rows.map((row, i) => pool.applyAsync(tasks.count, [row], { callback: (n) => console.log(i, n) }));
   * const counts = await Promise.all(results.map((r) => r.get()));
   * ```
   */
  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    ...rest: ApplyArgs<A, CallOptions & AsyncOptions<Awaited<R>>>
  ): AsyncResult<Awaited<R>>;
  /**
   * `task(item)` for every item, in parallel; results in input order (Python's `Pool.map`).
   *
   * @example
   * ```ts
   * const squares = await pool.map(tasks.square, [1, 2, 3]); // [1, 4, 9]
   * const labelled = await pool.map(tasks.work, items, { chunksize: 100, progress: { label: 'work' } });
   * ```
   */
  map<T, R>(task: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]>;
  /**
   * Like `map`, returning an AsyncResult.
   *
   * @example
   * ```ts
   * const result = pool.mapAsync(tasks.square, [1, 2, 3], { callback: (squares) => console.log(squares) });
   * await result.wait();
   * ```
   */
  mapAsync<T, R>(
    task: (item: T) => R,
    items: Iterable<T>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]>;
  /**
   * `task(...args)` for every argument list; results in input order (Python's `Pool.starmap`).
   *
   * @example
   * ```ts
   * const counts = await pool.starmap(tasks.howmanyWithinRange, rows.map((row) => [row, 4, 8] as [number[], number, number]));
   * ```
   */
  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]>;
  /**
   * Like `starmap`, returning an AsyncResult.
   *
   * @example
   * ```ts
   * const sums = await pool.starmapAsync(tasks.add, [[1, 2], [3, 4]]).get(10_000); // [3, 7], or TimeoutError after 10 s
   * ```
   */
  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]>;
  /**
   * Lazy, ordered map over a sync or async (even endless) input: it reads items as workers free up, and yields results in input order.
   *
   * @example
   * ```ts
   * for await (const line of pool.imap(tasks.parse, readLines('big.log'), { chunksize: 'auto' })) {
   *   if (line.error) break; // chunks not yet started never start
   * }
   * ```
   */
  imap<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  /**
   * Like `imap`, yielding results as they complete.
   *
   * @example
   * ```ts
   * for await (const page of pool.imapUnordered(tasks.fetchPage, urls)) console.log(page.url);
   * ```
   */
  imapUnordered<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  /**
   * Accepts no more work; what was submitted still runs.
   *
   * @example
   * ```ts
   * pool.close();
   * await pool.join(); // Python's p.close(); p.join()
   * ```
   */
  close(): void;
  /** Waits for submitted work to finish and the workers to stop. Call `close()` or `terminate()` first. */
  join(): Promise<void>;
  /**
   * Stops the workers now; unfinished work rejects with PoolTerminatedError.
   *
   * @example
   * ```ts
   * const pending = pool.map(tasks.slow, items);
   * await pool.terminate(); // pending rejects with PoolTerminatedError
   * ```
   */
  terminate(): Promise<void>;
  /**
   * What the pool has done so far, as plain data: per worker (start-up, jobs,
   * items, busy and idle time, utilization, why it was replaced) and for the
   * pool (queue waits, time moving data against time working, the slowest
   * jobs). With `{ reset: true }`, a fresh window starts after this reading.
   *
   * @example
   * ```ts
   * await pool.map(tasks.work, items);
   * const { workers, transfer, work } = pool.insights({ reset: true });
   * console.error(formatInsights(pool.insights()));
   * ```
   */
  insights(options?: { reset?: boolean }): PoolInsights;
}
