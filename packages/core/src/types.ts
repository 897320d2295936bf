import type { AsyncOptions, AsyncResult } from './async-result.js';
import type { BackendCapabilities } from './backend.js';
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

/** The resolved value of a task's result. */
export type ResultOf<F extends TaskFunction> = Awaited<ReturnType<F>>;

/** A one-argument task (map, imap). */
export type UnaryTask = (item: never) => unknown;

/** The arguments of `apply`: omitted for tasks that take none. */
export type ApplyArgs<F extends TaskFunction, O> =
  Parameters<F> extends [] ? [args?: [], options?: O] : [args: Parameters<F>, options?: O];

/** Python's `multiprocessing.Pool`, on any backend. */
export interface Pool extends AsyncDisposable {
  /** Number of workers. */
  readonly processes: number;
  /** Backend name: 'piscina', 'tinypool', 'threads', 'child-process', 'workerpool' or 'inline'. */
  readonly backend: string;
  /** What the backend can do (stop running tasks, isolate crashes...). */
  readonly capabilities: BackendCapabilities;

  /** Runs `task(...args)` in a worker and resolves with its result. */
  apply<F extends TaskFunction>(task: F, ...rest: ApplyArgs<F, CallOptions>): Promise<ResultOf<F>>;
  /** Like `apply`, returning an AsyncResult; calls made in one tick are sent in batches. */
  applyAsync<F extends TaskFunction>(
    task: F,
    ...rest: ApplyArgs<F, CallOptions & AsyncOptions<ResultOf<F>>>
  ): AsyncResult<ResultOf<F>>;
  /** `task(item)` for every item, in parallel; results in input order. */
  map<F extends UnaryTask>(task: F, items: Iterable<Parameters<F>[0]>, options?: MapOptions): Promise<ResultOf<F>[]>;
  /** Like `map`, returning an AsyncResult. */
  mapAsync<F extends UnaryTask>(
    task: F,
    items: Iterable<Parameters<F>[0]>,
    options?: MapOptions & AsyncOptions<ResultOf<F>[]>,
  ): AsyncResult<ResultOf<F>[]>;
  /** `task(...args)` for every argument list; results in input order. */
  starmap<F extends TaskFunction>(
    task: F,
    argsList: Iterable<Parameters<F>>,
    options?: MapOptions,
  ): Promise<ResultOf<F>[]>;
  /** Like `starmap`, returning an AsyncResult. */
  starmapAsync<F extends TaskFunction>(
    task: F,
    argsList: Iterable<Parameters<F>>,
    options?: MapOptions & AsyncOptions<ResultOf<F>[]>,
  ): AsyncResult<ResultOf<F>[]>;
  /** Lazy, ordered map over a sync or async (even endless) input. */
  imap<F extends UnaryTask>(
    task: F,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): AsyncIterableIterator<ResultOf<F>>;
  /** Like `imap`, yielding results as they complete. */
  imapUnordered<F extends UnaryTask>(
    task: F,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): AsyncIterableIterator<ResultOf<F>>;
  /** Accepts no more work; what was submitted still runs. */
  close(): void;
  /** Waits for submitted work to finish and the workers to stop. Call `close()` or `terminate()` first. */
  join(): Promise<void>;
  /** Stops the workers now; unfinished work rejects with PoolTerminatedError. */
  terminate(): Promise<void>;
}
