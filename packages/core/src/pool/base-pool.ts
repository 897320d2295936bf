import { EventEmitter } from 'node:events';
import type { Backend, BackendCapabilities, BackendFactory } from '../backends/backend.js';
import type { WorkerEvent } from '../backends/worker-log.js';
import { PoolStateError, PoolTerminatedError } from '../errors.js';
import { toTaskRef } from '../tasks.js';
import { withItemRecord } from '../wire/item-record.js';
import type { Job, TaskCall, TaskRef } from '../wire/job.js';
import { type PackedChunk, packChunk } from '../wire/packing.js';
import { ApplyBatch } from './apply-batch.js';
import { type AsyncOptions, type AsyncResult, AsyncResultImpl } from './async-result.js';
import type { CallRegistry, ChunkedCall } from './chunked-call.js';
import type { PoolInsights } from './insights.js';
import { JobQueue } from './job-queue.js';
import { LazyCall, refuseSyncIteration } from './lazy-call.js';
import { type AdaptiveSize, type CallHost, runMap, type Settle, type Terms } from './map-call.js';
import {
  COUNTS,
  checkChunksize,
  checkCount,
  defaultChunksize,
  MAX_MS,
  resolveOptions,
  toArgsArray,
  toItems,
  warnIfOversized,
} from './options.js';
import type { ApplyArgs, CallOptions, ImapOptions, MapOptions, Pool, PoolEvents, PoolOptions } from './types.js';
import { endUnreadCalls, endUnreadOnEmptyLoop, UNREAD_REASON } from './unread-iterators.js';

/** Keys of jobs that may be sent again to worker processes: unique among the callers a host serves. */
const RESEND_KEYS = `r${process.pid}-${Math.random().toString(36).slice(2, 10)}-`;
let resendKeys = 0;

type State = 'running' | 'closed' | 'terminated';

/** The options of a call made without any (one object for all: no allocation per call). */
const NO_OPTIONS: CallOptions & AsyncOptions<unknown> = Object.freeze({});

/**
 * The Pool contract over any `Backend`. Owns validation, chunking, ordering,
 * callbacks, batching, state and the one queue of jobs not yet started; the
 * backend only runs the jobs it is handed.
 *
 * Adapters construct it: `new BasePool(options, (resolved) => new MyBackend(resolved))`.
 */
const EVENT_NAMES = {
  start: 'workerStart',
  exit: 'workerExit',
  crash: 'workerCrash',
  recycle: 'workerRecycle',
  replace: 'workerReplace',
} as const satisfies Record<WorkerEvent['type'], keyof PoolEvents>;

export class BasePool extends EventEmitter<PoolEvents> implements Pool {
  readonly backend: string;
  readonly capabilities: BackendCapabilities;
  readonly #backend: Backend;
  readonly #queue: JobQueue;
  readonly #initializer: TaskCall | undefined;
  /** The pool's default terms of a call (its `timeout` and `retries`). */
  readonly #terms: Terms;
  readonly #host: CallHost;
  /** Calls not yet ended: join() waits for them, terminate() fails them. */
  readonly #calls = new Set<ChunkedCall>();
  #idleWaiters: Array<() => void> = [];
  #batch: ApplyBatch | undefined;
  #lastTask: unknown;
  #lastRef: TaskRef | undefined;
  #state: State = 'running';
  #stopping: Promise<void> | undefined;

  constructor(options: PoolOptions, factory: BackendFactory) {
    super();
    const resolved = resolveOptions(options);
    this.#initializer = resolved.initializer;
    this.#terms = Object.freeze({ timeout: resolved.timeout, retries: resolved.retries });
    this.#backend = factory({
      processes: resolved.processes,
      maxtasksperchild: resolved.maxtasksperchild,
      maxmemoryperchild: resolved.maxmemoryperchild,
      grace: resolved.grace,
    });
    // A distributed pool's size is its hosts' slots: this machine's cores say nothing about it.
    if (!this.#backend.workersElsewhere) warnIfOversized(resolved.processes);
    this.backend = this.#backend.name;
    this.capabilities = this.#backend.capabilities;
    this.#queue = new JobQueue(this.#backend);
    const calls = this.#calls;
    const registry: CallRegistry = {
      add: (call) => calls.add(call),
      delete: (call) => {
        if (calls.delete(call) && calls.size === 0) this.#wakeIdle();
      },
    };
    this.#host = {
      queue: this.#queue,
      calls: registry,
      terms: (options) => this.#termsOf(options),
      job: (task, items, spread, terms, rowWidth) =>
        this.#wrap(
          task,
          rowWidth ? { items, spread, rowWidth } : packChunk(items, 0, items.length, spread, true),
          terms,
        ),
      wrap: (task, chunk, terms) => this.#wrap(task, chunk, terms),
    };
    this.#backend.listen?.((event) => {
      this.emit(EVENT_NAMES[event.type], event);
    });
  }

  /** The backend's workers: fixed for most backends; for one whose workers come and go (`onResize`), their number now. */
  get processes(): number {
    return this.#backend.size;
  }

  insights(options: { reset?: boolean } = {}): PoolInsights {
    const reset = options?.reset === true;
    const workers = this.#backend.workerInsights?.(reset) ?? [];
    const replacements = { crash: 0, recycle: 0, abort: 0, timeout: 0 };
    for (const worker of workers) {
      const reason = worker.ended?.reason;
      if (reason !== undefined && reason !== 'stop') replacements[reason]++;
    }
    return {
      backend: this.backend,
      processes: this.processes,
      ...this.#queue.stats.read(reset),
      workers,
      replacements,
    };
  }

  // ---- calls -------------------------------------------------------------

  // Overloads with plain parameters behind the typed signatures: a rest array per call
  // is measurable in a loop of 200,000 applyAsync calls.
  apply<A extends unknown[], R>(task: (...args: A) => R, ...rest: ApplyArgs<A, CallOptions>): Promise<Awaited<R>>;
  apply(task: unknown, args?: unknown, options?: CallOptions): Promise<unknown> {
    return this.#applyAsync(task, args, options ?? NO_OPTIONS).promise();
  }

  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    ...rest: ApplyArgs<A, CallOptions & AsyncOptions<Awaited<R>>>
  ): AsyncResult<Awaited<R>>;
  applyAsync(task: unknown, args?: unknown, options?: CallOptions & AsyncOptions<unknown>): AsyncResult<unknown> {
    return this.#applyAsync(task, args, options ?? NO_OPTIONS);
  }

  map<T, R>(task: (item: T) => R, items: Iterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    return new Promise((resolve, reject) => {
      this.#map(task, items, false, options ?? {}, 'map', { resolve: resolve as Settle<unknown[]>['resolve'], reject });
    });
  }

  mapAsync<T, R>(
    task: (item: T) => R,
    items: Iterable<T>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    const opts = options ?? {};
    const result = new AsyncResultImpl<unknown[]>(opts as AsyncOptions<unknown[]>);
    this.#map(task, items, false, opts, 'map', result.settlers());
    return result as AsyncResult<Awaited<R>[]>;
  }

  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    return new Promise((resolve, reject) => {
      this.#map(task, argsList, true, options ?? {}, 'starmap', {
        resolve: resolve as Settle<unknown[]>['resolve'],
        reject,
      });
    });
  }

  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argsList: Iterable<A>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    const opts = options ?? {};
    const result = new AsyncResultImpl<unknown[]>(opts as AsyncOptions<unknown[]>);
    this.#map(task, argsList, true, opts, 'starmap', result.settlers());
    return result as AsyncResult<Awaited<R>[]>;
  }

  imap<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#lazy(task, items, 'imap', options ?? {}) as AsyncIterableIterator<Awaited<R>>;
  }

  imapUnordered<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#lazy(task, items, 'imapUnordered', options ?? {}) as AsyncIterableIterator<Awaited<R>>;
  }

  // ---- lifecycle ---------------------------------------------------------

  close(): void {
    // What was submitted still runs; open imaps go on at their consumers' pace.
    if (this.#state === 'running') this.#state = 'closed';
  }

  join(): Promise<void> {
    if (this.#state === 'running') {
      return Promise.reject(new PoolStateError('join() needs close() or terminate() first: the pool is still running'));
    }
    if (!this.#stopping) {
      const unwatch = endUnreadOnEmptyLoop(this.#calls); // an imap nobody reads must not end the program silently
      this.#stopping = this.#whenIdle().then(async () => {
        unwatch();
        await this.#queue.idle();
        await this.#backend.close();
      });
    }
    return this.#stopping;
  }

  terminate(): Promise<void> {
    if (this.#state !== 'terminated') {
      this.#state = 'terminated';
      this.#batch = undefined; // its calls are failed with the others below
      for (const call of [...this.#calls]) call.fail(new PoolTerminatedError(), true);
      this.#queue.cancelAll(() => new PoolTerminatedError());
      this.#stopping = this.#backend.terminate();
    }
    return this.#stopping as Promise<void>;
  }

  /** `await using pool = …`: closes the pool, ends the calls nobody awaits, and joins (Python's `with` terminates). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'running') this.close();
    endUnreadCalls(this.#calls, UNREAD_REASON.dispose); // as Python's `with` terminates: nobody reads them after the scope
    await this.join();
  }

  // ---- internals ---------------------------------------------------------

  #notRunning(): PoolStateError | undefined {
    if (this.#state === 'running') return undefined;
    return new PoolStateError(`Pool not running (it was ${this.#state}): create a new pool for more work`);
  }

  #whenIdle(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #wrap(task: TaskRef, chunk: PackedChunk, terms: Terms): Job {
    let job: Job = { task, ...chunk };
    if (this.#initializer) job = { ...job, initializer: this.#initializer };
    if (terms.timeout !== undefined) job = { ...job, timeout: terms.timeout };
    const { separateProcesses, inProcess } = this.capabilities;
    // A job that may be sent again is copied to its worker, never moved.
    if (terms.retries > 0 || (terms.yieldsEach && terms.timeout !== undefined && !inProcess)) {
      // Workers record each item's outcome as it ends: a chunk sent again after its worker died runs
      // only the items that had not ended, and one whose call got stuck past its timeout still
      // delivers the items before it. Thread workers in this process's memory; worker processes in a
      // file named after the job's key (wire/notes.ts): for retries, a write per item; for a stuck
      // call only, held in memory the worker's watch thread writes out then (a write per item was
      // measured: an imap of 200,000 numbers with a timeout on child-process, 5-15x slower).
      job = { ...job, resend: true };
      if (separateProcesses && !inProcess) {
        job = {
          ...job,
          resendKey: `${RESEND_KEYS}${++resendKeys}`,
          ...(terms.retries > 0 ? {} : { keepOnStall: true as const }),
        };
      } else job = withItemRecord(job, this.capabilities);
    }
    return job;
  }

  /** A call's terms: its own `timeout` and `retries` over the pool's (a TypeError or RangeError for bad ones). */
  /** Chunks of one call with `chunksize: 'auto'` in flight (map) or read ahead of the consumer (imap). */
  #window(): number {
    return Math.max(2, this.processes * 2);
  }

  #termsOf(options: CallOptions): Terms {
    if (options.timeout === undefined && options.retries === undefined) return this.#terms;
    return {
      timeout: checkCount('timeout', options.timeout, 1, COUNTS.timeout, MAX_MS) ?? this.#terms.timeout,
      retries: checkCount('retries', options.retries, 0, COUNTS.retries) ?? this.#terms.retries,
    };
  }

  #map(
    task: unknown,
    input: unknown,
    spread: boolean,
    options: MapOptions,
    method: 'map' | 'starmap',
    settle: Settle<unknown[]>,
  ): void {
    let ref: TaskRef;
    let items: unknown[];
    let size: number | AdaptiveSize;
    try {
      const stopped = this.#notRunning();
      if (stopped) throw stopped;
      ref = toTaskRef(task);
      items = toItems(input, method);
      // Argument lists that are not arrays (any iterable will do) are made arrays; arrays are used as they are.
      if (spread && !allArrays(items)) items = items.map((args, i) => toArgsArray(args, `starmap item ${i}`));
      size =
        options.chunksize === 'auto'
          ? { window: this.#window() }
          : options.chunksize !== undefined
            ? checkChunksize(options.chunksize)
            : defaultChunksize(items.length, this.processes);
    } catch (error) {
      settle.reject(error);
      return;
    }
    runMap(this.#host, ref, items, spread, size, options, method, settle);
  }

  #applyAsync(task: unknown, args: unknown, options: CallOptions & AsyncOptions<unknown>): AsyncResultImpl<unknown> {
    const result = new AsyncResultImpl<unknown>(options);
    let ref: TaskRef;
    let list: unknown[];
    try {
      const stopped = this.#notRunning();
      if (stopped) throw stopped;
      // A loop calls one task over and over: the last one's ref is kept at hand.
      if (task === this.#lastTask && task !== undefined) ref = this.#lastRef as TaskRef;
      else {
        ref = toTaskRef(task);
        this.#lastTask = task;
        this.#lastRef = ref;
      }
      list = args === undefined ? [] : toArgsArray(args, 'apply args');
    } catch (error) {
      result.reject(error);
      return result;
    }
    if (options.signal || options.timeout !== undefined || options.retries !== undefined) {
      // A call with its own signal or terms is its own one-item job, cancellable alone.
      const settlers = result.settlers();
      const own: CallOptions = { signal: options.signal, timeout: options.timeout, retries: options.retries };
      runMap(this.#host, ref, [list], true, 1, own, 'apply', {
        resolve: (values) => settlers.resolve(values[0]),
        reject: settlers.reject,
      });
      return result;
    }
    // Calls made in one tick are sent together.
    let batch = this.#batch;
    if (!batch) {
      const fresh = new ApplyBatch(this.#host, this.processes, this.#terms);
      this.#batch = batch = fresh;
      queueMicrotask(() => {
        if (this.#batch === fresh) this.#batch = undefined;
        if (this.#state !== 'terminated') fresh.send();
      });
    }
    batch.add(ref, list, result);
    return result;
  }

  #lazy(
    task: unknown,
    items: unknown,
    method: 'imap' | 'imapUnordered',
    options: ImapOptions,
  ): AsyncIterableIterator<unknown> {
    try {
      const stopped = this.#notRunning();
      if (stopped) throw stopped;
      const ref = toTaskRef(task);
      const chunksize =
        options.chunksize === 'auto' ? 'auto' : options.chunksize !== undefined ? checkChunksize(options.chunksize) : 1;
      if (
        items === null ||
        items === undefined ||
        (typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
          typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
      ) {
        throw new TypeError(`${method}() needs an iterable or async iterable of items`);
      }
      const terms = { ...this.#termsOf(options), yieldsEach: true };
      return new LazyCall(this.#host, ref, items as Iterable<unknown>, {
        terms,
        method,
        ordered: method === 'imap',
        chunksize,
        window: this.#window(),
        signal: options.signal,
        onProgress: options.onProgress,
        progress: options.progress,
      });
    } catch (error) {
      return failedIterator(error, method);
    }
  }
}

/** Whether every item is an array (a loop: `every(Array.isArray)` calls out per item). */
function allArrays(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) if (!Array.isArray(items[i])) return false;
  return true;
}

/** The iterator of a call refused at once: its first `next()` rejects with `error`. */
function failedIterator(error: unknown, method: string): AsyncIterableIterator<never> {
  let thrown = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    [Symbol.iterator]: () => refuseSyncIteration(method),
    next() {
      if (thrown) return Promise.resolve({ value: undefined, done: true } as IteratorResult<never>);
      thrown = true;
      return Promise.reject(error);
    },
    return() {
      thrown = true;
      return Promise.resolve({ value: undefined, done: true } as IteratorResult<never>);
    },
  } as AsyncIterableIterator<never>;
}
