import type { BackendCapabilities } from './backends/backend.js';
import type { AsyncOptions, AsyncResult } from './pool/async-result.js';
import type { TaskFunction } from './tasks.js';

/**
 * A task: a handle from `defineTasks`, or a self-contained inline function.
 * Written as the function's own type so that arguments and results are checked.
 */
export type Task<F extends TaskFunction = TaskFunction> = F;

/** Options every pool accepts. */
export interface PoolOptions {
  /** Number of workers. Default: `cpuCount()` (`os.availableParallelism()`). */
  processes?: number;
  /** Runs once in each worker before its first task. */
  initializer?: TaskFunction;
  /** Arguments for `initializer`. */
  initargs?: readonly unknown[];
  /** Replace a worker after it has run this many jobs (a chunk is one job). Default: never. */
  maxtasksperchild?: number;
}

/** Options of every call. */
export interface CallOptions {
  /** Aborting rejects the call at once with the signal's reason; unstarted chunks never start. */
  signal?: AbortSignal;
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
  /** Items per job. Default: Python's `ceil(n / (4 * processes))` for map/starmap, 1 for imap. */
  chunksize?: number;
  /** Called after each chunk finishes. */
  onProgress?(progress: Progress): void;
}

/** The arguments of `apply`: may be omitted when the task needs none. */
export type ApplyArgs<A extends unknown[], O> = [] extends A ? [args?: A, options?: O] : [args: A, options?: O];

/** Python's `multiprocessing.Pool`, on any backend. */
export interface Pool extends AsyncDisposable {
  /** Number of workers. */
  readonly processes: number;
  /** Backend name: 'piscina', 'tinypool', 'threads', 'child-process', 'workerpool' or 'inline'. */
  readonly backend: string;
  /** What the backend can do (stop running tasks, isolate crashes...). */
  readonly capabilities: BackendCapabilities;

  /** Runs `task(...args)` in a worker and resolves with its result. */
  apply<A extends unknown[], R>(task: (...args: A) => R, ...rest: ApplyArgs<A, CallOptions>): Promise<Awaited<R>>;
  /** Like `apply`, returning an AsyncResult; calls made in one tick are sent in batches. */
  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    ...rest: ApplyArgs<A, CallOptions & AsyncOptions<Awaited<R>>>
  ): AsyncResult<Awaited<R>>;
  /** `task(item)` for every item, in parallel; results in input order. */
  map<T, R>(task: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]>;
  /** Like `map`, returning an AsyncResult. */
  mapAsync<T, R>(
    task: (item: T) => R,
    items: Iterable<T>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]>;
  /** `task(...args)` for every argument list; results in input order. */
  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]>;
  /** Like `starmap`, returning an AsyncResult. */
  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]>;
  /** Lazy, ordered map over a sync or async (even endless) input. */
  imap<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  /** Like `imap`, yielding results as they complete. */
  imapUnordered<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>>;
  /** Accepts no more work; what was submitted still runs. */
  close(): void;
  /** Waits for submitted work to finish and the workers to stop. Call `close()` or `terminate()` first. */
  join(): Promise<void>;
  /** Stops the workers now; unfinished work rejects with PoolTerminatedError. */
  terminate(): Promise<void>;
}
