import { isMainThread } from 'node:worker_threads';
import { InitializerError, InlineTaskError, type OuterReference, TaskResolutionError } from '../errors.js';
import { type TaskFunction, taskKey, taskLabel, taskRegistry } from '../tasks.js';
import { ensureCloneable } from '../wire/cloneable.js';
import {
  CallScope,
  DEFAULT_GRACE_MS,
  isAsyncFunction,
  JobScope,
  linger,
  runAs,
  runCallAs,
  STALL,
  type StallBoard,
  timeoutError,
} from '../wire/deadlines.js';
import { withEnded } from '../wire/ended-items.js';
import { type SerializedError, serializeError } from '../wire/error-transport.js';
import { type ItemRecorder, jobRecorder } from '../wire/item-record.js';
import type { ItemFailure, Job, JobResult, TaskCall, TaskRef } from '../wire/job.js';
import { classModulesToLoad, decodeArguments, decodeInitializerArguments, encodeResult } from '../wire/job-codec.js';
import { callNoter } from '../wire/notes.js';
import { jobLength, MIN_PACKED, packNumbers, packTuples } from '../wire/packing.js';
import { extendLease, LEASE_MS, processTicker, TICK, type Ticker, tickerUp, tickWhile } from '../wire/ticker.js';
import { copyPartialViews } from '../wire/transfer.js';
import { currentWorker, newWorkerId, runAsWorker, type WorkerInfo } from './context.js';
import { importModule, isImported, isUnavailable } from './module-loader.js';
import { heldProcessRecorder, openProcessJob, processStallBoard, unwatchedProcess } from './parent-watch.js';

/** Compiles the source of an inline function in the global scope (no access to any closure). */
function compileInline(source: string): TaskFunction {
  const attempts = [`return (${source});`, `return ({ ${source} })[Object.keys({ ${source} })[0]];`];
  let firstError: unknown;
  for (const body of attempts) {
    try {
      const fn = new Function(body)() as unknown;
      if (typeof fn === 'function') return fn as TaskFunction;
    } catch (error) {
      firstError ??= error;
    }
  }
  const wrapped = new TaskResolutionError(
    `Could not compile the inline task in the worker: ${firstError instanceof Error ? firstError.message : String(firstError)}. Pass an arrow function or function expression, or use a task module (defineTasks).`,
  );
  throw wrapped;
}

const NOT_DEFINED = /^(\S+) is not defined$/;

/** Milliseconds a job spent loading task modules, added up as it goes. */
interface Loading {
  ms: number;
}

/** Imports a task module (once per thread: later imports are at once), adding the time it took to `loading`. */
async function timedImport(url: string, loading: Loading): Promise<Record<string, unknown>> {
  if (isImported(url)) return importModule(url);
  const start = performance.now();
  try {
    return await importModule(url);
  } finally {
    loading.ms += performance.now() - start;
  }
}

/**
 * The state of one worker: its id, whether the initializer ran, the inline
 * functions it has compiled. Every adapter's worker entry drives one of these
 * through `runJob`; the inline backend keeps several in one thread.
 */
export class WorkerRuntime {
  /** Who this worker is (what `currentWorker()` returns inside a task), and how many jobs it has run. */
  readonly info: WorkerInfo & {
    /** Jobs run so far. */
    jobs: number;
  };
  readonly #inline = new Map<string, TaskFunction>();
  #initialized: Promise<void> | undefined;
  #initDone = false;
  readonly #contextual: boolean;
  /** Whether results may hold shared memory: not when they leave over a process channel. */
  readonly #sharedMemory: boolean;

  /**
   * @param options.contextual run each job inside an AsyncLocalStorage scope, for
   * backends where several workers share one thread.
   */
  constructor(options: { idPrefix?: string; contextual?: boolean } = {}) {
    this.info = {
      id: newWorkerId(options.idPrefix ?? 'worker'),
      pid: process.pid,
      threadId: 0,
      jobs: 0,
    };
    this.#contextual = options.contextual ?? false;
    // A worker that is the main thread of a process with an IPC channel is a worker process.
    this.#sharedMemory = this.#contextual || !isMainThread || typeof process.send !== 'function';
    // In a task, transfer() copies a view of part of its buffer (an argument it received may be one).
    copyPartialViews(this.#contextual ? () => currentWorker() !== undefined : true);
  }

  /**
   * Runs one job and returns per-item outcomes. Never rejects. `signal`, if
   * given, is the job's cancellation as the worker hears it: it aborts the
   * signals of the job's task calls.
   */
  runJob(job: Job, signal?: AbortSignal): Promise<JobResult> | JobResult {
    this.info.jobs += 1;
    const scope = new JobScope(job.clock, job.token);
    if (signal) {
      if (signal.aborted) scope.abort(signal.reason);
      else signal.addEventListener('abort', () => scope.abort(signal.reason), { once: true });
    }
    let result = this.#contextual ? runAsWorker(this.info, () => this.#run(job, scope)) : this.#run(job, scope);
    if (result instanceof Promise) result = result.then((r) => closed(scope, r));
    else scope.close();
    return job.heap ? withHeap(result) : result;
  }

  #run(job: Job, scope: JobScope): Promise<JobResult> | JobResult {
    // Time this job spends loading task modules (its own, and the initializer's when this job starts it).
    const loading: Loading = { ms: 0 };
    if (job.initializer && !this.#initialized) {
      this.#initialized = this.#initialize(job.initializer, job, loading);
      this.#initialized.then(
        () => {
          this.#initDone = true;
        },
        () => {},
      );
    }
    // Fast path: no initializer to wait for and the task already resolved.
    const ready = this.#initialized && !this.#initDone ? undefined : this.#resolveSync(job.task);
    if (!ready || classModulesToLoad(job).length > 0) return this.#runSlow(job, scope, loading);
    let outcome: JobResult | Promise<JobResult>;
    try {
      outcome = this.#runItems(ready, decodeArguments(job), scope);
    } catch (error) {
      return failAll(jobLength(job), serializeError(error));
    }
    return outcome instanceof Promise
      ? outcome.then((result) => this.#deliverable(job, result))
      : this.#deliverable(job, outcome);
  }

  async #runSlow(job: Job, scope: JobScope, loading: Loading): Promise<JobResult> {
    let result: JobResult;
    try {
      await this.#loadClasses(job, loading);
      if (this.#initialized) await this.#initialized;
      const fn = await this.#resolve(job.task, loading);
      result = this.#deliverable(job, await this.#runItems(fn, decodeArguments(job), scope));
    } catch (error) {
      result = failAll(jobLength(job), serializeError(error));
    }
    if (loading.ms > 0) (result as { loadMs?: number }).loadMs = loading.ms;
    return result;
  }

  /** Imports the modules that register the classes among the job's arguments, where this worker does not know them yet. */
  async #loadClasses(job: Job, loading: Loading): Promise<void> {
    for (const module of classModulesToLoad(job)) {
      try {
        await timedImport(module, loading);
      } catch (error) {
        const wrapped = new TaskResolutionError(
          `Could not load ${module}, which registers classes of this call's arguments, in the worker: ${error instanceof Error ? error.message : String(error)}`,
        );
        wrapped.cause = error;
        throw wrapped;
      }
    }
  }

  async #initialize(call: TaskCall, job: Job, loading: Loading): Promise<void> {
    try {
      await this.#loadClasses(job, loading);
      const fn = await this.#resolve(call.task, loading);
      await fn(...decodeInitializerArguments(job, call));
    } catch (error) {
      // Failing is sticky for this worker: every job it gets reports the cause.
      const wrapped = new InitializerError(
        `The pool's initializer failed in this worker, so its tasks cannot run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${error.stack}`;
      throw wrapped;
    }
  }

  #resolveSync(ref: TaskRef): TaskFunction | undefined {
    if (ref.kind === 'inline') {
      let fn = this.#inline.get(ref.source);
      if (!fn) {
        try {
          fn = compileInline(ref.source);
        } catch {
          return undefined; // the slow path reports it
        }
        this.#inline.set(ref.source, fn);
      }
      return fn;
    }
    // A module being imported, or whose import failed, has half its tasks at most: not served from here.
    if (isUnavailable(ref.module)) return undefined;
    return taskRegistry().get(taskKey(ref.module, ref.name));
  }

  async #resolve(ref: TaskRef, loading: Loading): Promise<TaskFunction> {
    if (ref.kind === 'inline') {
      const fn = this.#resolveSync(ref);
      return fn ?? compileInline(ref.source);
    }
    const key = taskKey(ref.module, ref.name);
    let fn = isUnavailable(ref.module) ? undefined : taskRegistry().get(key);
    if (fn) return fn;
    let exports: Record<string, unknown>;
    try {
      exports = await timedImport(ref.module, loading);
    } catch (error) {
      const wrapped = new TaskResolutionError(
        `Could not load task module ${ref.module} in the worker: ${error instanceof Error ? error.message : String(error)}`,
      );
      wrapped.cause = error;
      if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${error.stack}`;
      throw wrapped;
    }
    fn = taskRegistry().get(key);
    if (fn) return fn;
    const exported = exports[ref.name];
    if (typeof exported === 'function') return exported as TaskFunction;
    throw new TaskResolutionError(
      `No task '${ref.name}' in ${ref.module}: define it there with defineTasks(import.meta.url, { ${ref.name} }) and export the result.`,
    );
  }

  /** The result as it may travel: registered instances encoded, and items whose value cannot be copied failed alone. */
  #deliverable(job: Job, result: JobResult): JobResult {
    return ensureCloneable(encodeResult(job, result), { sharedMemory: this.#sharedMemory });
  }

  #runItems(fn: TaskFunction, job: Job, scope: JobScope): JobResult | Promise<JobResult> {
    // Calls with a timeout, and async tasks (a signal each, across awaits), one at a time;
    // a synchronous task's calls share their job's signal (nothing can abort it while one runs).
    // A job that records its items' outcomes (it may be sent again) goes the same way.
    if (job.timeout !== undefined || job.record || job.ended || (job.resend && job.notes) || isAsyncFunction(fn))
      return runCalls(fn, job, scope, !this.#contextual);
    return runAs(new CallScope(scope), () => this.#runPlain(fn, job));
  }

  #runPlain(fn: TaskFunction, job: Job): JobResult | Promise<JobResult> {
    const { items, spread, columns, rowWidth } = job;
    const n = jobLength(job);
    // Rows packed as one matrix become arrays one at a time, just before their call (see numbersOfRows).
    const row = rowWidth ? rowReader(items as Float64Array, rowWidth) : undefined;
    const call = columns
      ? job.columnRowWidths
        ? readerCaller(fn, columnReaders(columns, job.columnRowWidths))
        : columnCaller(fn, columns)
      : undefined;
    const values: unknown[] = [];
    let numbers = true;
    let failures: ItemFailure[] | undefined;
    let pending: Promise<void>[] | undefined;
    const source = job.task.kind === 'inline' ? job.task.source : undefined;
    // The common case first: every value a number and none thrown, written
    // straight into the Float64Array that travels (no per-item try or push).
    let start = 0;
    let first: Outcome | undefined;
    if (n >= MIN_PACKED) {
      const out = new Float64Array(n);
      // One tight loop per shape of job: each gets a call site and a row builder of its own from the JIT
      // (measured: a map over a list 0.088 → 0.050 ms per 25,000 items; rows through a closure instead of
      // their own loop are 10–40% slower). The copies are on purpose.
      const stop: Stop = { at: n, outcome: undefined };
      if (call) numbersOf(out, call, stop);
      else if (row) numbersOfRows(out, fn, row, stop);
      else if (spread) numbersOf(out, (i) => fn(...(items[i] as unknown[])), stop);
      else numbersOfItems(out, fn, items as readonly unknown[], stop);
      start = stop.at;
      first = stop.outcome;
      if (!first) return { values: out };
      for (let i = 0; i < start; i++) values.push(out[i]);
      numbers = false;
    }
    for (let i = start; i < n; i++) {
      let value: unknown;
      try {
        // Item `start` already ran in the fast path: its outcome is `first`.
        if (first && i === start) {
          if ('error' in first) throw first.error;
          value = first.value;
        } else value = call ? call(i) : row ? fn(row(i)) : spread ? fn(...(items[i] as unknown[])) : fn(items[i]);
      } catch (error) {
        failures ??= [];
        failures.push({ index: i, error: describeFailure(error, source) });
        values.push(undefined);
        numbers = false;
        continue;
      }
      if (typeof value !== 'number') {
        numbers = false;
        if (isThenable(value)) {
          pending ??= [];
          pending.push(
            Promise.resolve(value).then(
              (v) => {
                values[i] = v;
              },
              (error: unknown) => {
                failures ??= [];
                failures.push({ index: i, error: describeFailure(error, source) });
              },
            ),
          );
          value = undefined;
        }
      }
      values.push(value);
    }
    if (!pending) {
      if (failures) return { values, failures };
      return { values: numbers ? packNumbers(values) : (packTuples(values) ?? values) };
    }
    return Promise.all(pending).then(() => {
      if (!failures) return { values };
      failures.sort((a, b) => a.index - b.index);
      return { values, failures };
    });
  }
}

/** Call `i` of a job: `fn` with that call's arguments, however the job carries them. */
function callOf(fn: TaskFunction, job: Job): (i: number) => unknown {
  const { items, spread, columns, rowWidth } = job;
  if (columns)
    return job.columnRowWidths
      ? readerCaller(fn, columnReaders(columns, job.columnRowWidths))
      : columnCaller(fn, columns);
  if (rowWidth) {
    const row = rowReader(items as Float64Array, rowWidth);
    return (i) => fn(row(i));
  }
  if (spread) return (i) => fn(...((items as readonly unknown[])[i] as unknown[]));
  return (i) => fn((items as readonly unknown[])[i]);
}

/** An async call of {@link runCalls} that has not settled yet. */
interface Waiting {
  readonly index: number;
  readonly start: number;
  readonly scope: CallScope;
  readonly promise: Promise<unknown>;
  /** The call settled (whatever the job made of it). */
  settled: boolean;
  /** The job is done with it: its value or failure is in, or it timed out. */
  done: boolean;
}

/**
 * Runs a job's calls one after another, each with its signal; with a timeout,
 * times each: a synchronous call that returns late fails with TaskTimeoutError,
 * and an async one that runs past it has its signal aborted and fails at once.
 * The job then answers without waiting for a call that ignores its signal: it
 * lingers (`result.lingering`), and the caller decides the worker's fate.
 */
function runCalls(
  fn: TaskFunction,
  job: Job,
  jobScope: JobScope,
  /** Whether this runtime is its thread's own (not one of several in the caller's thread, inline), so may use its process's stall board. */
  own: boolean,
): JobResult | Promise<JobResult> {
  const n = jobLength(job);
  const call = callOf(fn, job);
  const { timeout } = job;
  const label = taskLabel(job.task);
  const source = job.task.kind === 'inline' ? job.task.source : undefined;
  const async = isAsyncFunction(fn);
  const shared = async ? undefined : new CallScope(jobScope);
  // Made when a value is not a number (a job of numbers travels as the Float64Array timedSync fills).
  let values: unknown[] | undefined;
  const vals = () => {
    values ??= new Array<unknown>(n);
    return values;
  };
  const failures: ItemFailure[] = [];
  const record: ItemRecorder | undefined = withEnded(
    job.ended,
    jobRecorder(job, job.resend ? job.notes : undefined, job.keepOnStall && own ? heldProcessRecorder : undefined),
  );
  const fail = (index: number, error: unknown) => {
    const described = describeFailure(error, source);
    failures.push({ index, error: described });
    record?.failure(index, described);
  };
  const succeed = (index: number, value: unknown) => {
    vals()[index] = value;
    record?.value(index, value);
  };
  const late = (start: number) => timeout !== undefined && performance.now() - start > timeout;
  const waiting: Waiting[] = [];
  // Where this worker says which synchronous call runs, for whoever judges one that never returns.
  const board = timeout === undefined ? undefined : openBoard(job, timeout, own);
  // A worker process with no watch thread notes which call runs in a file instead, for its caller.
  const noter =
    timeout !== undefined && !board && own && job.notes !== undefined && unwatchedProcess()
      ? callNoter(job.notes)
      : undefined;
  if (shared && timeout !== undefined && (!record || record.fresh) && !noter) {
    // A synchronous task: one stretch with its job's signal, one clock reading per call (the end of one
    // call is the start of the next), numbers written straight into the Float64Array that travels.
    const ticker = job.ticker ?? processTicker();
    // A map over a list calls the task straight from the loop (a call site of its own, as in the plain path).
    const list = job.spread || job.columns || job.rowWidth ? undefined : (job.items as ArrayLike<unknown>);
    const outcome = runAs(shared, () =>
      timedSync(
        call,
        n,
        timeout,
        label,
        fail,
        vals,
        waiting,
        shared,
        ticker,
        list && { fn, items: list },
        board,
        record,
      ),
    );
    if (board) Atomics.store(board.cells, STALL.item, -1);
    if (outcome) return outcome;
  } else {
    for (let i = 0; i < n; i++) {
      // Ended in an earlier run, whose worker died after it: not run again.
      const before = record?.recorded(i);
      if (before) {
        if ('value' in before) vals()[i] = before.value;
        else failures.push({ index: i, error: before.failure });
        continue;
      }
      const start = timeout !== undefined ? performance.now() : 0;
      if (board) {
        board.cells[STALL.since] = Math.floor(performance.timeOrigin + start) - board.base;
        board.cells[STALL.item] = i;
      } else noter?.note(i);
      const scope = shared ?? new CallScope(jobScope);
      let value: unknown;
      try {
        value = async ? runCallAs(scope, () => call(i)) : runAs(scope, () => call(i));
      } catch (error) {
        fail(i, late(start) ? timeoutError(label, i, timeout as number) : error);
        continue;
      }
      if (isThenable(value)) {
        waiting.push({ index: i, start, scope, promise: Promise.resolve(value), settled: false, done: false });
      } else if (late(start)) fail(i, timeoutError(label, i, timeout as number));
      else succeed(i, value);
    }
    if (board) Atomics.store(board.cells, STALL.item, -1);
    noter?.close();
  }
  const finish = (lingering: number): JobResult => {
    record?.close();
    if (failures.length === 0) return { values: packNumbers(vals()) };
    failures.sort((a, b) => a.index - b.index);
    return lingering > 0 ? { values: vals(), failures, lingering } : { values: vals(), failures };
  };
  if (waiting.length === 0) return finish(0);
  return new Promise<JobResult>((resolve) => {
    let open = waiting.length;
    let lingeringCalls = 0;
    let timer: NodeJS.Timeout | undefined;
    const closeOne = () => {
      open -= 1;
      if (open === 0) {
        if (timer) clearTimeout(timer);
        resolve(finish(lingeringCalls));
      }
    };
    const settle = (call: Waiting, ok: boolean, outcome: unknown) => {
      call.settled = true;
      if (call.done) return;
      call.done = true;
      if (late(call.start)) fail(call.index, timeoutError(label, call.index, timeout as number));
      else if (ok) succeed(call.index, outcome);
      else fail(call.index, outcome);
      closeOne();
    };
    for (const each of waiting) {
      each.promise.then(
        (value) => settle(each, true, value),
        (error: unknown) => settle(each, false, error),
      );
    }
    if (timeout === undefined) return;
    const arm = () => {
      let next = Number.POSITIVE_INFINITY;
      for (const each of waiting) if (!each.done) next = Math.min(next, each.start + timeout);
      if (next === Number.POSITIVE_INFINITY) return;
      timer = setTimeout(expire, Math.max(0, next - performance.now()));
    };
    const expire = () => {
      timer = undefined;
      const now = performance.now();
      const expired = waiting.filter((each) => !each.done && now - each.start >= timeout);
      for (const each of expired) {
        each.done = true;
        const error = timeoutError(label, each.index, timeout);
        fail(each.index, error);
        each.scope.abort(error);
      }
      // A task that passes its signal on ends within a turn of the event loop; one still running then lingers.
      setImmediate(() => {
        for (const each of expired) {
          if (each.settled) continue;
          lingeringCalls += 1;
          linger(each.promise, job.clock);
        }
        for (let k = 0; k < expired.length; k++) closeOne();
        if (open > 0) arm();
      });
    };
    arm();
  });
}

/**
 * The calls of a synchronous task with a timeout, in order: each is timed by one
 * reading of the coarse clock after it (`ticker`: a plain memory read; without
 * one, `performance.now()`). While every value is a number and none is late, they
 * go into a Float64Array, returned as the job's result when all were; otherwise
 * the values, failures and calls that returned promises are left in `vals()`,
 * through `fail` and in `waiting`, and it returns undefined.
 */
function timedSync(
  call: (i: number) => unknown,
  n: number,
  timeout: number,
  label: string,
  fail: (index: number, error: unknown) => void,
  vals: () => unknown[],
  waiting: Waiting[],
  scope: CallScope,
  ticker: Ticker | undefined,
  list: { readonly fn: TaskFunction; readonly items: ArrayLike<unknown> } | undefined,
  board: StallBoard | undefined,
  keep: ItemRecorder | undefined,
): JobResult | undefined {
  if (!ticker || !tickerUp(ticker))
    return timedSyncPrecise(call, n, timeout, label, fail, vals, waiting, scope, board, keep);
  const cells = ticker.cells;
  // The stall board: the index of each call before it runs; when it started (the coarse clock's
  // last reading before it, in the board's ms) each time that reading moves.
  const stall = board?.cells;
  const shift = board ? ticker.base - board.base : 0;
  const fn = list?.fn;
  const items = list?.items;
  tickWhile(ticker);
  const out = n >= MIN_PACKED ? new Float64Array(n) : undefined;
  let numbers = out !== undefined;
  let start = cells[TICK.now] as number;
  if (stall) stall[STALL.since] = start + shift;
  // The precise time when the coarse clock last moved (at the end of a call, so before this one started).
  let mark = performance.now();
  /**
   * Reads the coarse clock after a call: one plain read (the ticker's thread keeps the cell current).
   * Only when it moved (at most about once a millisecond) is the precise clock read: a call is late
   * by both, so a tick the OS delayed (a jump of the coarse clock) does not make a short call look long.
   */
  const lateNow = (): boolean => {
    let end = cells[TICK.now] as number;
    if (end === start) return false;
    const now = performance.now();
    // A call longer than the ticker's lease stopped it (the coarse clock stood still from then
    // on): the precise clock judges it, and the ticker is started again for the calls after it.
    const lapsed = end - start >= LEASE_MS / 2;
    const late = (end - start > timeout || lapsed) && now - mark > timeout;
    mark = now;
    if (lapsed) {
      tickWhile(ticker);
      end = cells[TICK.now] as number;
    } else extendLease(cells, end);
    start = end;
    if (stall) stall[STALL.since] = end + shift;
    return late;
  };
  let i = 0;
  // The try is around the loop, not each call (as in the plain path): a throw ends one pass, and the next goes on after it.
  while (i < n) {
    try {
      for (; i < n; i++) {
        if (stall) stall[STALL.item] = i;
        const value = fn ? fn((items as ArrayLike<unknown>)[i]) : call(i);
        const late = (cells[TICK.now] as number) !== start && lateNow();
        if (numbers && !late && typeof value === 'number') {
          (out as Float64Array)[i] = value;
          if (keep) keep.value(i, value);
          continue;
        }
        if (numbers) numbers = spill(out as Float64Array, i, vals());
        if (late) fail(i, timeoutError(label, i, timeout));
        else if (isThenable(value)) {
          waiting.push({
            index: i,
            start: performance.now(),
            scope,
            promise: Promise.resolve(value),
            settled: false,
            done: false,
          });
        } else {
          vals()[i] = value;
          keep?.value(i, value);
        }
      }
    } catch (error) {
      if (numbers) numbers = spill(out as Float64Array, i, vals());
      fail(i, lateNow() ? timeoutError(label, i, timeout) : error);
      i++;
    }
  }
  return numbers ? { values: out as Float64Array } : undefined;
}

/** timedSync where no ticker thread runs: each call timed by `performance.now()`. */
function timedSyncPrecise(
  call: (i: number) => unknown,
  n: number,
  timeout: number,
  label: string,
  fail: (index: number, error: unknown) => void,
  vals: () => unknown[],
  waiting: Waiting[],
  scope: CallScope,
  board: StallBoard | undefined,
  keep: ItemRecorder | undefined,
): JobResult | undefined {
  const out = n >= MIN_PACKED ? new Float64Array(n) : undefined;
  let numbers = out !== undefined;
  let start = performance.now();
  for (let i = 0; i < n; i++) {
    if (board) {
      board.cells[STALL.since] = Math.floor(performance.timeOrigin + start) - board.base;
      board.cells[STALL.item] = i;
    }
    let value: unknown;
    let thrown: { error: unknown } | undefined;
    try {
      value = call(i);
    } catch (error) {
      thrown = { error };
    }
    const end = performance.now();
    if (end - start > timeout) {
      if (numbers) numbers = spill(out as Float64Array, i, vals());
      fail(i, timeoutError(label, i, timeout));
    } else if (thrown) {
      if (numbers) numbers = spill(out as Float64Array, i, vals());
      fail(i, thrown.error);
    } else if (numbers && typeof value === 'number') {
      (out as Float64Array)[i] = value;
      keep?.value(i, value);
    } else {
      if (numbers) numbers = spill(out as Float64Array, i, vals());
      if (isThenable(value)) {
        waiting.push({ index: i, start, scope, promise: Promise.resolve(value), settled: false, done: false });
      } else {
        vals()[i] = value;
        keep?.value(i, value);
      }
    }
    start = end;
  }
  return numbers ? { values: out as Float64Array } : undefined;
}

/** Numbers the jobs a worker process's watch judges (a thread worker's caller names them: `Job.token`). */
let processJobs = 0;

/**
 * The stall board of a job with a timeout, opened for it (no call running yet): a thread worker's
 * clock, read by its caller (which handed it the ticker whose base it counts from); a worker
 * process's own, read by its watch thread. None in the caller's own thread.
 */
function openBoard(job: Job, timeout: number, own: boolean): StallBoard | undefined {
  if (job.clock && job.ticker && job.token !== undefined) {
    Atomics.store(job.clock, STALL.item, -1);
    Atomics.store(job.clock, STALL.job, job.token);
    return { cells: job.clock, base: job.ticker.base };
  }
  const board = own ? processStallBoard() : undefined;
  if (!board) return undefined;
  processJobs = (processJobs % 0x7fffffff) + 1;
  openProcessJob(processJobs, Math.min(2 ** 31 - 1, timeout + (job.grace ?? DEFAULT_GRACE_MS)), job.notes);
  return board;
}

/** Copies the first `count` numbers of `out` into `values`: from here on, values go there. Returns false. */
function spill(out: Float64Array, count: number, values: unknown[]): false {
  for (let i = 0; i < count; i++) values[i] = out[i];
  return false;
}

/** The job has answered: `scope` closes (its caller's cancellation no longer reaches it). */
function closed(scope: JobScope, result: JobResult): JobResult {
  scope.close();
  return result;
}

/** The job's result, with the worker's heap after it (MB), for `maxmemoryperchild`. */
function withHeap(result: Promise<JobResult> | JobResult): Promise<JobResult> | JobResult {
  const stamp = (r: JobResult): JobResult => {
    (r as { heapMB?: number }).heapMB = process.memoryUsage().heapUsed / (1024 * 1024);
    return r;
  };
  return result instanceof Promise ? result.then(stamp) : stamp(result);
}

/** Calls `fn` with the arguments of call `i`, read from columns (no per-call array for up to 4 arguments). */
function columnCaller(fn: TaskFunction, columns: ReadonlyArray<ArrayLike<unknown>>): (i: number) => unknown {
  const [a, b, c, d] = columns as ArrayLike<unknown>[];
  switch (columns.length) {
    case 1:
      return (i) => fn((a as ArrayLike<unknown>)[i]);
    case 2:
      return (i) => fn((a as ArrayLike<unknown>)[i], (b as ArrayLike<unknown>)[i]);
    case 3:
      return (i) => fn((a as ArrayLike<unknown>)[i], (b as ArrayLike<unknown>)[i], (c as ArrayLike<unknown>)[i]);
    case 4:
      return (i) =>
        fn(
          (a as ArrayLike<unknown>)[i],
          (b as ArrayLike<unknown>)[i],
          (c as ArrayLike<unknown>)[i],
          (d as ArrayLike<unknown>)[i],
        );
    default:
      return (i) => fn(...columns.map((column) => column[i]));
  }
}

/**
 * Row `i` of a matrix of rows of `width` numbers, as a new array. A row of up
 * to 8 numbers starts as an array literal of fractions: V8 copies it from a
 * template of raw doubles, one allocation, and the numbers are stored in place.
 * `new Array(width)` is made for small integers and copied again at the first
 * fraction stored, and a task iterates its rows more slowly (measured: jobs of
 * 25,000 rows of 5 through a counting task, integers 2.3 → 0.9 ms, fractions
 * 2.5 → 1.5 ms).
 */
function rowReader(data: Float64Array, width: number): (i: number) => number[] {
  switch (width) {
    case 1:
      return (i) => fillRow([0.5], data, i);
    case 2:
      return (i) => fillRow([0.5, 0.5], data, 2 * i);
    case 3:
      return (i) => fillRow([0.5, 0.5, 0.5], data, 3 * i);
    case 4:
      return (i) => fillRow([0.5, 0.5, 0.5, 0.5], data, 4 * i);
    case 5:
      return (i) => fillRow([0.5, 0.5, 0.5, 0.5, 0.5], data, 5 * i);
    case 6:
      return (i) => fillRow([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], data, 6 * i);
    case 7:
      return (i) => fillRow([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], data, 7 * i);
    case 8:
      return (i) => fillRow([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], data, 8 * i);
    default:
      return (i) => fillRow(new Array<number>(width), data, i * width);
  }
}

/** Overwrites `row` with the numbers of `data` from `start` on. */
function fillRow(row: number[], data: Float64Array, start: number): number[] {
  for (let j = 0; j < row.length; j++) row[j] = data[start + j] as number;
  return row;
}

/** What stopped a run of number results: a value that is not a number, or a throw. */
type Outcome = { value: unknown } | { error: unknown };

/** Where a run of number results stopped (`at`: the first item not written), and why (none: every item a number). */
interface Stop {
  at: number;
  outcome: Outcome | undefined;
}

/** Writes `call(i)` into `out[i]` while each is a number. */
function numbersOf(out: Float64Array, call: (i: number) => unknown, stop: Stop): void {
  let i = 0;
  try {
    for (; i < out.length; i++) {
      const value = call(i);
      if (typeof value !== 'number') {
        stop.outcome = { value };
        break;
      }
      out[i] = value;
    }
  } catch (error) {
    stop.outcome = { error };
  }
  stop.at = i;
}

/** numbersOf for `fn(items[i])` (map over a list). */
function numbersOfItems(out: Float64Array, fn: TaskFunction, items: readonly unknown[], stop: Stop): void {
  let i = 0;
  try {
    for (; i < out.length; i++) {
      const value = fn(items[i]);
      if (typeof value !== 'number') {
        stop.outcome = { value };
        break;
      }
      out[i] = value;
    }
  } catch (error) {
    stop.outcome = { error };
  }
  stop.at = i;
}

/**
 * numbersOf for `fn(row i)` (map over rows packed as a matrix). Each row becomes an array just
 * before its call: garbage right after it (cheap for the GC), where unpacking them all first
 * kept every one alive to the end.
 */
function numbersOfRows(out: Float64Array, fn: TaskFunction, row: (i: number) => number[], stop: Stop): void {
  let i = 0;
  try {
    for (; i < out.length; i++) {
      const value = fn(row(i));
      if (typeof value !== 'number') {
        stop.outcome = { value };
        break;
      }
      out[i] = value;
    }
  } catch (error) {
    stop.outcome = { error };
  }
  stop.at = i;
}

/** Argument `i` of each column: a packed matrix column gives a row array, any other its entry. */
function columnReaders(
  columns: ReadonlyArray<ArrayLike<unknown>>,
  widths: readonly number[],
): Array<(i: number) => unknown> {
  return columns.map((column, c) => {
    const width = widths[c] ?? 0;
    return width ? rowReader(column as Float64Array, width) : (i: number) => column[i];
  });
}

/** Calls `fn` with the arguments of call `i`, read through one reader per argument. */
function readerCaller(fn: TaskFunction, readers: Array<(i: number) => unknown>): (i: number) => unknown {
  const [a, b, c] = readers as Array<(i: number) => unknown>;
  switch (readers.length) {
    case 1:
      return (i) => fn((a as (i: number) => unknown)(i));
    case 2:
      return (i) => fn((a as (i: number) => unknown)(i), (b as (i: number) => unknown)(i));
    case 3:
      return (i) =>
        fn((a as (i: number) => unknown)(i), (b as (i: number) => unknown)(i), (c as (i: number) => unknown)(i));
    default:
      return (i) => fn(...readers.map((read) => read(i)));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * What an item failed with. An inline function that used an outer name gets an
 * InlineTaskError whose advice fits how it used that name (`source` is the
 * inline function's source).
 */
function describeFailure(error: unknown, source: string | undefined): SerializedError {
  if (source !== undefined && error instanceof ReferenceError) {
    const match = NOT_DEFINED.exec(error.message);
    if (match?.[1]) {
      const { name, usage, member } = outerReference(source, match[1]);
      const wrapped = new InlineTaskError(name, usage, member);
      wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${error.stack ?? ''}`;
      return serializeError(wrapped);
    }
  }
  return serializeError(error);
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
/** Vite/vitest rewrite `import { tasks }` into `__vite_ssr_import_0__.tasks`: the imported name is the one to report. */
const VITE_IMPORT = /^__vi(?:te_ssr)?_import_\d+__$/;

/** How the inline function's source uses the outer name `identifier` (see {@link OuterReference}). */
export function outerReference(
  source: string,
  identifier: string,
): { name: string; usage: OuterReference; member?: string } {
  let name = identifier;
  let pattern = escapeRegExp(identifier);
  if (VITE_IMPORT.test(identifier)) {
    const imported = new RegExp(`${pattern}\\s*\\.\\s*([A-Za-z_$][\\w$]*)`).exec(source)?.[1];
    if (imported) {
      name = imported;
      pattern = `${pattern}\\s*\\.\\s*${escapeRegExp(imported)}`;
    }
  }
  const start = `(?<![\\w$.])${pattern}`;
  const method = new RegExp(`${start}((?:\\s*\\??\\.\\s*[A-Za-z_$][\\w$]*)+)\\s*\\)?\\s*\\(`).exec(source);
  if (method?.[1]) return { name, usage: 'handles', member: `${name}${method[1].replace(/\s+/g, '')}` };
  if (name === 'tasks') return { name, usage: 'handles' };
  if (new RegExp(`${start}\\s*\\)?\\s*\\(`).test(source)) return { name, usage: 'function' };
  return { name, usage: 'value' };
}

function failAll(n: number, error: SerializedError): JobResult {
  const failures: ItemFailure[] = [];
  for (let i = 0; i < n; i++) failures.push({ index: i, error });
  return { values: failures.map(() => undefined), failures };
}
