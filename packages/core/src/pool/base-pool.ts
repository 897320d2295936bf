import type { Backend, BackendCapabilities, BackendFactory } from '../backends/backend.js';
import { cpuCount } from '../cpu-count.js';
import { CloneError, PoolStateError, PoolTerminatedError } from '../errors.js';
import { toTaskRef } from '../tasks.js';
import type { ApplyArgs, CallOptions, MapOptions, Pool, PoolOptions } from '../types.js';
import { deserializeError } from '../wire/error-transport.js';
import type { Job, TaskCall, TaskRef } from '../wire/job.js';
import { firstFailure, jobError } from '../wire/job-outcome.js';
import { packNumbers, toColumns } from '../wire/packing.js';
import { type AsyncOptions, type AsyncResult, AsyncResultImpl } from './async-result.js';
import { checkChunksize, defaultChunksize } from './chunking.js';
import { Dispatcher, type ReceivedResult, type Ticket } from './dispatcher.js';
import { LazyMap } from './lazy-map.js';

/** The applyAsync calls of one tick, as parallel lists (no object per call). */
interface Batch {
  refs: TaskRef[];
  args: unknown[][];
  results: AsyncResultImpl<unknown>[];
}

type State = 'running' | 'closed' | 'terminated';

/** Validates pool options; throws RangeError/TypeError at construction, like Python's ValueError. */
function resolveOptions(options: PoolOptions): {
  processes: number;
  maxtasksperchild: number | undefined;
  initializer: TaskCall | undefined;
} {
  if (options === null || typeof options !== 'object') throw new TypeError('Pool options must be an object');
  const processes = options.processes ?? cpuCount();
  if (typeof processes !== 'number' || !Number.isInteger(processes) || processes < 1) {
    throw new RangeError(`processes must be an integer ≥ 1 (got ${String(options.processes)})`);
  }
  const max = options.maxtasksperchild;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new RangeError(`maxtasksperchild must be an integer ≥ 1, or undefined for never (got ${String(max)})`);
  }
  let initializer: TaskCall | undefined;
  if (options.initializer !== undefined && options.initializer !== null) {
    const args = options.initargs ?? [];
    if (!Array.isArray(args)) throw new TypeError('initargs must be an array of arguments for the initializer');
    initializer = { task: toTaskRef(options.initializer), args };
  } else if (options.initargs !== undefined && (options.initargs as unknown[]).length > 0) {
    throw new TypeError('initargs was given without an initializer');
  }
  return { processes, maxtasksperchild: max ?? undefined, initializer };
}

function toArgsArray(args: unknown, what: string): unknown[] {
  if (Array.isArray(args)) return args;
  if (args !== null && typeof args === 'object' && Symbol.iterator in args)
    return Array.from(args as Iterable<unknown>);
  throw new TypeError(`${what} must be an array of arguments (got ${args === null ? 'null' : typeof args})`);
}

function toItems(items: unknown, method: string): unknown[] {
  if (Array.isArray(items)) return items;
  if (items !== null && items !== undefined && typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Array.from(items as Iterable<unknown>);
  }
  throw new TypeError(`${method}() needs an iterable of items (got ${items === null ? 'null' : typeof items})`);
}

function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return reason instanceof Error
    ? reason
    : new DOMException(String(reason ?? 'This operation was aborted'), 'AbortError');
}

/**
 * The Pool contract over any `Backend`. Owns validation, chunking, ordering,
 * callbacks, batching, state; the backend only runs jobs.
 *
 * Adapters construct it: `new BasePool(options, (resolved) => new MyBackend(resolved))`.
 */
export class BasePool implements Pool {
  readonly processes: number;
  readonly backend: string;
  readonly capabilities: BackendCapabilities;
  readonly #backend: Backend;
  readonly #dispatcher: Dispatcher;
  readonly #initializer: TaskCall | undefined;
  #state: State = 'running';
  #work = 0;
  #workWaiters: Array<() => void> = [];
  #batch: Batch | undefined;
  readonly #lazies = new Set<LazyMap<unknown>>();
  #stopping: Promise<void> | undefined;

  constructor(options: PoolOptions, factory: BackendFactory) {
    const resolved = resolveOptions(options ?? {});
    this.#initializer = resolved.initializer;
    this.#backend = factory({ processes: resolved.processes, maxtasksperchild: resolved.maxtasksperchild });
    this.processes = this.#backend.size;
    this.backend = this.#backend.name;
    this.capabilities = this.#backend.capabilities;
    this.#dispatcher = new Dispatcher(this.#backend, Math.max(2, this.#backend.size * 2));
  }

  // ---- calls -------------------------------------------------------------

  apply<A extends unknown[], R>(task: (...args: A) => R, ...rest: ApplyArgs<A, CallOptions>): Promise<Awaited<R>> {
    const [args, options] = rest as [unknown[] | undefined, CallOptions | undefined];
    return Promise.resolve(this.#applyAsync(task, args, options ?? {})) as Promise<Awaited<R>>;
  }

  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    ...rest: ApplyArgs<A, CallOptions & AsyncOptions<Awaited<R>>>
  ): AsyncResult<Awaited<R>> {
    const [args, options] = rest as [unknown[] | undefined, (CallOptions & AsyncOptions<unknown>) | undefined];
    return this.#applyAsync(task, args, options ?? {}) as AsyncResult<Awaited<R>>;
  }

  map<T, R>(task: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.#track(() => this.#map(task, toItems(items, 'map'), false, options ?? {})) as Promise<Awaited<R>[]>;
  }

  mapAsync<T, R>(
    task: (item: T) => R,
    items: Iterable<T>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    const opts = options ?? {};
    return AsyncResultImpl.from(this.map(task, items, opts), opts);
  }

  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return this.#track(() => {
      const list = toItems(argsList, 'starmap').map((args, i) => toArgsArray(args, `starmap item ${i}`));
      return this.#map(task, list, true, options ?? {});
    }) as Promise<Awaited<R>[]>;
  }

  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    const opts = options ?? {};
    return AsyncResultImpl.from(this.starmap(task, argsList, opts), opts);
  }

  imap<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#lazy(task, items, true, options ?? {}) as AsyncIterableIterator<Awaited<R>>;
  }

  imapUnordered<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#lazy(task, items, false, options ?? {}) as AsyncIterableIterator<Awaited<R>>;
  }

  // ---- lifecycle ---------------------------------------------------------

  close(): void {
    if (this.#state !== 'running') return;
    this.#state = 'closed';
    // Like Python, work already submitted completes without a consumer.
    for (const lazy of this.#lazies) lazy.drain();
  }

  join(): Promise<void> {
    if (this.#state === 'running') {
      return Promise.reject(new PoolStateError('join() needs close() or terminate() first: the pool is still running'));
    }
    this.#stopping ??= this.#whenIdle().then(async () => {
      await this.#dispatcher.idle();
      await this.#backend.close();
    });
    return this.#stopping;
  }

  terminate(): Promise<void> {
    if (this.#state !== 'terminated') {
      this.#state = 'terminated';
      const reason = () => new PoolTerminatedError();
      const batch = this.#batch;
      this.#batch = undefined;
      for (const result of batch?.results ?? []) result.reject(reason());
      if (batch) this.#workDone(batch.results.length);
      for (const lazy of this.#lazies) lazy.abort(reason());
      this.#dispatcher.rejectAll(reason);
      const stopped = this.#backend.terminate();
      this.#stopping = stopped;
    }
    return this.#stopping as Promise<void>;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'running') this.close();
    await this.join();
  }

  // ---- internals ---------------------------------------------------------

  #checkRunning(): void {
    if (this.#state !== 'running') {
      throw new PoolStateError(`Pool not running (it was ${this.#state}): create a new pool for more work`);
    }
  }

  /** Counts a call as pending work until its promise settles (join waits for it). */
  #track<T>(start: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      this.#checkRunning();
      promise = start();
    } catch (error) {
      return Promise.reject(error);
    }
    const end = this.#begin();
    promise.then(end, end);
    return promise;
  }

  #begin(): () => void {
    this.#workStarted(1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#workDone(1);
    };
  }

  #workStarted(n: number): void {
    this.#work += n;
  }

  #workDone(n: number): void {
    this.#work -= n;
    if (this.#work === 0 && this.#workWaiters.length > 0) {
      const waiters = this.#workWaiters;
      this.#workWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #whenIdle(): Promise<void> {
    if (this.#work === 0) return Promise.resolve();
    return new Promise((resolve) => this.#workWaiters.push(resolve));
  }

  #job(task: TaskRef, items: unknown[] | Float64Array, spread: boolean): Job {
    const columns = spread ? toColumns(items as unknown[][]) : undefined;
    const job: Job = columns ? { task, items: [], spread, columns } : { task, items, spread };
    return this.#initializer ? { ...job, initializer: this.#initializer } : job;
  }

  #submit(task: TaskRef, items: unknown[] | Float64Array, spread: boolean, signal: AbortSignal | undefined): Ticket {
    return this.#dispatcher.submit(this.#job(task, items, spread), signal);
  }

  #map(task: unknown, items: unknown[], spread: boolean, options: MapOptions): Promise<unknown[]> {
    const ref = toTaskRef(task);
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const n = items.length;
    const size =
      options.chunksize !== undefined ? checkChunksize(options.chunksize) : defaultChunksize(n, this.processes);
    if (n === 0) return Promise.resolve([]);
    return new Promise<unknown[]>((resolve, reject) => {
      const results = new Array<unknown>(n);
      const tickets: Ticket[] = [];
      let remaining = Math.ceil(n / size);
      let done = 0;
      let finished = false;
      const onAbort = () => fail(abortReason(signal as AbortSignal));
      const fail = (error: unknown) => {
        if (finished) return;
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        for (const ticket of tickets) ticket.cancel(error);
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const packed = spread ? items : packNumbers(items);
      for (let offset = 0; offset < n; offset += size) {
        const slice = packed.slice(offset, offset + size);
        const ticket = this.#submit(ref, slice, spread, signal);
        tickets.push(ticket);
        ticket.promise.then(
          (result) => {
            if (finished) return;
            const failure = firstFailure(result);
            if (failure) return fail(failure.error);
            const { values } = result;
            for (let i = 0; i < values.length; i++) results[offset + i] = values[i];
            done += slice.length;
            if (onProgress) {
              try {
                onProgress({ done, total: n });
              } catch (error) {
                return fail(error);
              }
            }
            if (--remaining === 0) {
              finished = true;
              signal?.removeEventListener('abort', onAbort);
              resolve(results);
            }
          },
          (error: unknown) => fail(jobError(error)),
        );
      }
    });
  }

  #applyAsync(task: unknown, args: unknown, options: CallOptions & AsyncOptions<unknown>): AsyncResult<unknown> {
    const result = new AsyncResultImpl<unknown>(options);
    let ref: TaskRef;
    let list: unknown[];
    try {
      this.#checkRunning();
      ref = toTaskRef(task);
      list = args === undefined ? [] : toArgsArray(args, 'apply args');
    } catch (error) {
      result.reject(error);
      return result;
    }
    if (options.signal) {
      const end = this.#begin();
      this.#map(task, [list], true, { signal: options.signal, chunksize: 1 }).then(
        (values) => {
          end();
          result.fulfill(values[0]);
        },
        (error: unknown) => {
          end();
          result.reject(error);
        },
      );
      return result;
    }
    // Calls made in one tick are sent together (see #flushBatch).
    this.#workStarted(1);
    let batch = this.#batch;
    if (!batch) {
      batch = { refs: [], args: [], results: [] };
      this.#batch = batch;
      queueMicrotask(() => this.#flushBatch());
    }
    batch.refs.push(ref);
    batch.args.push(list);
    batch.results.push(result);
    return result;
  }

  /** Sends the applyAsync calls made in one tick as a few chunked jobs. */
  #flushBatch(): void {
    const batch = this.#batch;
    this.#batch = undefined;
    if (!batch) return;
    const { refs, args, results } = batch;
    const n = refs.length;
    const size = Math.max(1, defaultChunksize(n, this.processes));
    let start = 0;
    while (start < n) {
      const ref = refs[start] as TaskRef;
      let end = start + 1;
      while (end < n && end - start < size && refs[end] === ref) end++;
      this.#sendBatch(ref, args.slice(start, end), results.slice(start, end));
      start = end;
    }
  }

  #sendBatch(ref: TaskRef, argsList: unknown[][], results: AsyncResultImpl<unknown>[]): void {
    const ticket = this.#submit(ref, argsList, true, undefined);
    ticket.promise.then(
      (outcome: ReceivedResult) => {
        const failures = outcome.failures;
        if (failures) {
          for (const f of failures) (results[f.index] as AsyncResultImpl<unknown>).reject(deserializeError(f.error));
        }
        const values = outcome.values;
        for (let i = 0; i < results.length; i++) (results[i] as AsyncResultImpl<unknown>).fulfill(values[i]);
        this.#workDone(results.length);
      },
      (error: unknown) => {
        const wrapped = jobError(error);
        // One uncloneable argument must not fail the other calls that shared its job.
        if (wrapped instanceof CloneError && results.length > 1 && this.#state !== 'terminated') {
          for (let i = 0; i < results.length; i++) {
            this.#sendBatch(ref, [argsList[i] as unknown[]], [results[i] as AsyncResultImpl<unknown>]);
          }
          return;
        }
        for (const result of results) result.reject(wrapped);
        this.#workDone(results.length);
      },
    );
  }

  #lazy(task: unknown, items: unknown, ordered: boolean, options: MapOptions): AsyncIterableIterator<unknown> {
    try {
      this.#checkRunning();
      const ref = toTaskRef(task);
      const chunksize = options.chunksize !== undefined ? checkChunksize(options.chunksize) : 1;
      if (
        items === null ||
        items === undefined ||
        (typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
          typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
      ) {
        throw new TypeError(`${ordered ? 'imap' : 'imapUnordered'}() needs an iterable or async iterable of items`);
      }
      const end = this.#begin();
      let settled = false;
      let lazy: LazyMap<unknown> | undefined;
      lazy = new LazyMap(
        {
          submit: (chunk, signal) => this.#submit(ref, chunk, false, signal),
          window: Math.max(2, this.processes * 2),
        },
        items as Iterable<unknown>,
        {
          ordered,
          chunksize,
          signal: options.signal,
          onProgress: options.onProgress,
          onSettled: () => {
            settled = true;
            if (lazy) this.#lazies.delete(lazy);
            end();
          },
        },
      );
      if (!settled) this.#lazies.add(lazy);
      return lazy;
    } catch (error) {
      return failedIterator(error);
    }
  }
}

function failedIterator(error: unknown): AsyncIterableIterator<never> {
  let thrown = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (thrown) return Promise.resolve({ value: undefined, done: true } as IteratorResult<never>);
      thrown = true;
      return Promise.reject(error);
    },
    return() {
      thrown = true;
      return Promise.resolve({ value: undefined, done: true } as IteratorResult<never>);
    },
  };
}
