/**
 * Task timeouts and task signals, both of their sides: what a job carries
 * (`timeout`, and for thread workers a shared `clock`), how a worker times and
 * signals each task call, and what the caller reads back.
 *
 * In the worker, every task call can ask for its {@link taskSignal}. A call
 * that runs past its job's `timeout` has that signal aborted with a
 * {@link TaskTimeoutError}, and fails with it at once: the job answers without
 * waiting for a task that ignores its signal. Such a task is *lingering*: the
 * answer says how many are (`JobResult.lingering`), the worker starts nothing
 * else while any is, and the caller gives it a grace period, then stops and
 * replaces it (WorkerSlots). A thread worker counts its lingering tasks in
 * the shared clock, so the caller keeps a worker whose tasks ended within the
 * grace period; a worker process cannot say so, and is replaced.
 *
 * A synchronous task cannot be interrupted where it runs, and its worker cannot
 * answer while it runs. So a worker running a job with a timeout keeps a stall
 * board in shared memory ({@link STALL}): the index of the synchronous call it
 * runs and when it started. A thread worker's caller reads it in its clock
 * (WorkerSlots' watch); a worker process's own watch thread reads it
 * (worker/parent-watch.ts), notes a stuck call's index for the caller and kills
 * the process. Either way the job fails with TaskTimeoutError at that call's
 * index about `timeout + grace` after it started, and the worker is replaced.
 *
 * The signal of a job also aborts when the caller cancels the job, for workers
 * that can hear that while they run (a channel worker's `cancel` message).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { TaskTimeoutError } from '../errors.js';
import type { Job } from './job.js';

/** Milliseconds a task gets after its signal aborted before its worker is stopped, unless the pool says otherwise. */
export const DEFAULT_GRACE_MS = 1000;

/**
 * The cells of a worker's clock (an Int32Array over shared memory): its lingering calls, and the
 * last job its caller cancelled (`abort`: the job's token, written after `why`, then notified).
 * Cells from {@link STALL}`.job` on are its stall board (see {@link StallBoard}).
 */
const CLOCK = { lingering: 0, abort: 1, why: 2 } as const;

/**
 * The cells of a stall board, where a worker running a job with a timeout says which of its
 * synchronous calls runs, and since when, for whoever judges a call that never returns (a thread
 * worker's caller; a worker process's own watch thread, worker/parent-watch.ts): `job`, the job's
 * token; `item`, the index of the call running (-1: none, between calls or while async calls
 * await); `since`, when it started, in whole ms from the board's base (never later than it did);
 * for a worker process's watch also `limit`, the job's timeout plus its grace period, and
 * `notesLength`, the length of the job's notes path (see `Job.notes`), written beside the cells.
 */
export const STALL = { job: 3, item: 4, since: 5, limit: 6, notesLength: 7 } as const;
const CLOCK_CELLS = 8;

/** Why a running job's signals abort, other than a timeout (a code in the clock's `why` cell). */
export const ABORT_WHY = { cancelled: 1, aborted: 2, terminated: 3 } as const;
export type AbortWhy = (typeof ABORT_WHY)[keyof typeof ABORT_WHY];

/** The signal a worker process hears when its caller cancels the job it runs (it has no shared memory). */
export const ABORT_PROCESS_SIGNAL = 'SIGUSR2';

/** The reason a task's signal aborts with when its call was cancelled (`why`; 0: a worker process, which is not told why). */
export function cancelReason(why: number): DOMException {
  const what =
    why === ABORT_WHY.cancelled
      ? 'its call no longer wants it (another item failed, or the caller left its imap)'
      : why === ABORT_WHY.aborted
        ? "its caller aborted the call (the call's signal)"
        : why === ABORT_WHY.terminated
          ? 'the pool was terminated'
          : 'its call was cancelled (an abort, a failed item, or terminate())';
  return new DOMException(`parapool: this task call was cancelled: ${what}`, 'AbortError');
}

/**
 * The caller's side: tells a thread worker (through its clock) that the job of `token` is
 * cancelled, so the signals of its running task calls abort.
 */
export function cancelOnClock(clock: Int32Array, token: number, why: AbortWhy): void {
  Atomics.store(clock, CLOCK.why, why);
  Atomics.store(clock, CLOCK.abort, token);
  Atomics.notify(clock, CLOCK.abort);
}

/** A new clock for one thread worker (the caller's side). */
export function newClock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * CLOCK_CELLS));
}

/** Task calls of `clock`'s worker that ran past their timeout and have not returned. */
export function lingeringOn(clock: Int32Array): number {
  return Atomics.load(clock, CLOCK.lingering);
}

/**
 * A stall board (see {@link STALL}): its cells, and the epoch ms its `since` counts from. A thread
 * worker's is its clock (with the caller's ticker's base); a worker process's is its watch's.
 */
export interface StallBoard {
  readonly cells: Int32Array;
  readonly base: number;
}

/**
 * The caller's side: what the board of `clock` says of the job of `token`, `now` ms from its base —
 * the index of its synchronous call that has run for `limit` ms or more (stuck: it failed), or how
 * many ms the call running has left (undefined: no call of that job runs synchronously now).
 */
export function judgeStall(
  clock: Int32Array,
  token: number,
  now: number,
  limit: number,
): { readonly stuck: number } | { readonly left: number } | undefined {
  if (Atomics.load(clock, STALL.job) !== token) return undefined;
  const item = Atomics.load(clock, STALL.item);
  if (item < 0) return undefined;
  const since = Atomics.load(clock, STALL.since);
  // Moved on meanwhile: look again soon.
  if (Atomics.load(clock, STALL.item) !== item || Atomics.load(clock, STALL.job) !== token) return { left: 1 };
  const age = now - since;
  return age >= limit ? { stuck: item } : { left: limit - age };
}

/**
 * How long the caller waits for a job with a timeout before it decides that its
 * worker is stuck when nothing tells it which call runs (a worker process, an
 * async task stuck in a synchronous stretch after an await, a worker still
 * loading the task): every item in turn up to its timeout, and the grace
 * period, from when the job reached the worker. A worker that can answer
 * answers long before (its own timers time its calls).
 */
export function jobDeadline(job: Job, items: number, grace: number): number | undefined {
  if (job.timeout === undefined) return undefined;
  return Math.min(MAX_TIMER_MS, Math.max(1, items) * job.timeout + grace);
}

/**
 * How much longer than {@link jobDeadline} the caller waits for a job on a worker process, whose
 * own watch thread judges its calls and speaks first (it looks every 200 ms at most).
 */
export const PROCESS_WATCH_MARGIN_MS = 1000;

/** The longest delay a Node timer takes (a longer one fires at once, with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The TaskTimeoutError of item `index` of `job` (index in the job; the core makes it the call's). */
export function timeoutError(label: string, index: number, timeout: number): TaskTimeoutError {
  return new TaskTimeoutError({ task: label, index, timeout });
}

// ---- the worker's side ------------------------------------------------------

/** Where a task call's signal comes from: one per job for synchronous tasks, one per call for async ones. */
export class CallScope {
  #controller: AbortController | undefined;
  readonly #job: JobScope;

  constructor(job: JobScope) {
    this.#job = job;
  }

  signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      this.#job.listen(this);
      if (this.#job.aborted) this.#controller.abort(this.#job.reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#controller?.abort(reason);
  }
}

/**
 * A job's calls as signals see them: aborting the job aborts every signal a call asked for.
 *
 * The job's caller may cancel it while it runs. A thread worker hears that through its clock
 * (the job's `token` written there): watched only once a call has asked for its signal, with
 * `Atomics.waitAsync`, so a job whose tasks never read `taskSignal()` pays nothing for it. A
 * worker process hears it as {@link ABORT_PROCESS_SIGNAL}, which aborts every job it runs.
 */
export class JobScope {
  aborted = false;
  reason: unknown;
  readonly #scopes: CallScope[] = [];
  readonly #clock: Int32Array | undefined;
  readonly #token: number;
  #closed = false;
  #watching = false;
  #poll: NodeJS.Timeout | undefined;

  constructor(clock?: Int32Array, token?: number) {
    this.#clock = token === undefined ? undefined : clock;
    this.#token = token ?? 0;
    store().open.add(this);
  }

  listen(scope: CallScope): void {
    this.#scopes.push(scope);
    if (!this.#watching && this.#clock) {
      this.#watching = true;
      this.#watch(this.#clock);
    }
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const scope of this.#scopes) scope.abort(reason);
  }

  /** The job has answered: its caller's cancellation no longer reaches it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    store().open.delete(this);
    if (this.#poll) clearInterval(this.#poll);
    // Wakes this job's waiter (and any other of this thread's, which look again and wait on).
    if (this.#watching && this.#clock && hasWaitAsync) Atomics.notify(this.#clock, CLOCK.abort);
  }

  /** Whether the clock says this job is cancelled (then its signals abort); true too once there is nothing left to watch. */
  #heard(clock: Int32Array): boolean {
    if (this.#closed || this.aborted) return true;
    if (Atomics.load(clock, CLOCK.abort) !== this.#token) return false;
    this.abort(cancelReason(Atomics.load(clock, CLOCK.why)));
    return true;
  }

  #watch(clock: Int32Array): void {
    if (this.#heard(clock)) return;
    if (!hasWaitAsync) {
      // A runtime without Atomics.waitAsync looks every few milliseconds while the job runs.
      this.#poll = setInterval(() => {
        if (this.#heard(clock) && this.#poll) clearInterval(this.#poll);
      }, 10);
      this.#poll.unref();
      return;
    }
    const wait = () => {
      if (this.#heard(clock)) return;
      const waited = (Atomics as unknown as AtomicsWaitAsync).waitAsync(
        clock,
        CLOCK.abort,
        Atomics.load(clock, CLOCK.abort),
      );
      if (waited.async) void waited.value.then(wait);
      else wait();
    };
    wait();
  }
}

/** `Atomics.waitAsync` (ES2024, beyond this package's lib). */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

const hasWaitAsync = typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function';

interface SignalStore {
  /** The scope of the synchronous stretch running now. */
  current: CallScope | undefined;
  /** The scope of an async call, across its awaits. */
  readonly als: AsyncLocalStorage<CallScope>;
  /** Task calls past their timeout that have not returned, in this worker. */
  lingering: number;
  /** Resolved when `lingering` falls back to 0. */
  cleared: Promise<void> | undefined;
  clear: (() => void) | undefined;
  /** The jobs this thread runs now (a worker process's cancellation aborts them all). */
  readonly open: Set<JobScope>;
  /** A worker process listens for ABORT_PROCESS_SIGNAL. */
  listening: boolean;
}

// Kept on globalThis so that every copy of this module in one thread (a task module loaded through
// tsx gets its own module graph) sees the same task calls.
const KEY = Symbol.for('parapool.taskSignals');

function store(): SignalStore {
  const g = globalThis as unknown as Record<symbol, SignalStore | undefined>;
  let s = g[KEY];
  if (!s) {
    s = {
      current: undefined,
      als: new AsyncLocalStorage<CallScope>(),
      lingering: 0,
      cleared: undefined,
      clear: undefined,
      open: new Set(),
      listening: false,
    };
    g[KEY] = s;
  }
  return s;
}

/** A signal that never aborts: what a task called outside a pool gets. */
let never: AbortSignal | undefined;

/**
 * Inside a task: the `AbortSignal` of the running task call. It aborts when the
 * call runs past its `timeout` (with a TaskTimeoutError), and, where the
 * worker can hear it while the task runs, when its caller aborts or its call
 * fails fast. Pass it on (`fetch(url, { signal: taskSignal() })`) or check it
 * in long loops, and the call ends cleanly; a task that has not returned a
 * grace period after its signal aborted loses its worker.
 *
 * In an `async` task it may be read after an `await`; in a task that returns
 * a promise without being `async`, read it before its first `await`. Outside a
 * pool's task it is a signal that never aborts.
 *
 * @example
 * ```ts
 * export const tasks = defineTasks(import.meta.url, {
 *   async fetchPage(url: string) {
 *     const response = await fetch(url, { signal: taskSignal() });
 *     return response.text();
 *   },
 * });
 * await pool.map(tasks.fetchPage, urls, { timeout: 5_000 }); // a page past 5 s fails with TaskTimeoutError
 * ```
 */
export function taskSignal(): AbortSignal {
  const s = store();
  const scope = s.als.getStore() ?? s.current;
  if (scope) return scope.signal();
  never ??= new AbortController().signal;
  return never;
}

/** Runs the synchronous stretch `fn` as `scope`'s (a synchronous task's calls share their job's signal). */
export function runAs<T>(scope: CallScope | undefined, fn: () => T): T {
  const s = store();
  const before = s.current;
  s.current = scope;
  try {
    return fn();
  } finally {
    s.current = before;
  }
}

/** Runs an async call inside its own scope (its signal follows it across awaits). */
export function runCallAs<T>(scope: CallScope, fn: () => T): T {
  return store().als.run(scope, fn);
}

/**
 * In a worker process: its caller's {@link ABORT_PROCESS_SIGNAL} aborts the signals of the jobs it
 * runs (the caller sends it only for the job it knows this worker runs, and none other can be).
 */
export function listenForCancel(): void {
  const s = store();
  if (s.listening || process.platform === 'win32') return;
  s.listening = true;
  process.on(ABORT_PROCESS_SIGNAL, () => {
    for (const scope of s.open) scope.abort(cancelReason(0));
  });
}

/** A call past its timeout has not returned: it lingers until `settled` does (counted on its job's `clock`). */
export function linger(settled: Promise<unknown>, clock: Int32Array | undefined): void {
  const s = store();
  s.lingering += 1;
  if (clock) Atomics.add(clock, CLOCK.lingering, 1);
  const done = () => {
    s.lingering -= 1;
    if (clock) Atomics.sub(clock, CLOCK.lingering, 1);
    if (s.lingering === 0) {
      s.clear?.();
      s.cleared = undefined;
      s.clear = undefined;
    }
  };
  settled.then(done, done);
}

/** Task calls of this worker past their timeout that have not returned. */
export function lingering(): number {
  return store().lingering;
}

/** Resolves once no call of this worker lingers (undefined when none does): the next job waits for it. */
export function whenNoneLinger(): Promise<void> | undefined {
  const s = store();
  if (s.lingering === 0) return undefined;
  s.cleared ??= new Promise<void>((resolve) => {
    s.clear = resolve;
  });
  return s.cleared;
}

/** Whether `fn` is an `async` function (its calls get a scope each, which follows them across awaits). */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction';
}
