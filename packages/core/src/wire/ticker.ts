/**
 * A coarse clock in shared memory, for timing synchronous task calls: a small thread of its own
 * writes the milliseconds into a cell about once a millisecond while timed jobs run, so that a
 * worker times each call by one plain memory read after it (instead of `performance.now()`, which
 * costs 0.1 µs or more, several times a trivial task). It sleeps while no timed job runs.
 *
 * One per process: the caller's, handed to its thread workers with each timed job (and used by
 * the caller's own thread, inline); a worker process starts its own. Its readings are whole
 * milliseconds, and never run ahead of the real time: a tick the OS is slow to schedule makes a
 * call look shorter, never longer. (A synchronous call that never returns is judged from the stall
 * board its worker writes with this clock's readings, see wire/deadlines.ts.)
 */
import { Worker } from 'node:worker_threads';

/**
 * The cells: the time in ms since `base` (the ticker's start); until when it ticks (a lease that
 * timed jobs extend as they read the clock); one to sleep on; whether the ticker's thread has
 * started (until then, nobody reads `now`).
 */
export const TICK = { now: 0, lease: 1, sleep: 2, up: 3 } as const;

/** How long past a job's last look at the clock the ticker keeps ticking (a worker stopped mid-job never says it ended). */
export const LEASE_MS = 1000;
const TICK_CELLS = 4;

/** A ticker's cells (an Int32Array over shared memory) and its origin. */
export interface Ticker {
  readonly cells: Int32Array;
  /** Epoch ms of the ticker's start: `now` counts from it. */
  readonly base: number;
}

const TICKER = `const { workerData: { cells, base } } = require('node:worker_threads');
Atomics.store(cells, 3, 1);
const epoch = () => Math.floor(performance.timeOrigin + performance.now()) - base;
for (;;) {
  const now = epoch();
  const lease = Atomics.load(cells, 1);
  if (now >= lease) {
    Atomics.wait(cells, 1, lease);
    continue;
  }
  Atomics.store(cells, 0, now);
  Atomics.wait(cells, 2, 0, 1);
}`;

const KEY = Symbol.for('parapool.ticker');

/** This process's ticker, started on first use (undefined where no thread can be started). */
export function processTicker(): Ticker | undefined {
  const g = globalThis as unknown as Record<symbol, Ticker | null | undefined>;
  const known = g[KEY];
  if (known !== undefined) return known ?? undefined;
  const base = Math.floor(performance.timeOrigin + performance.now());
  const ticker: Ticker = { cells: new Int32Array(new SharedArrayBuffer(4 * TICK_CELLS)), base };
  try {
    const thread = new Worker(TICKER, {
      eval: true,
      workerData: { cells: ticker.cells, base },
      // Nothing of the program's own flags (a TypeScript loader, --inspect): the ticker needs none.
      execArgv: [],
      env: {},
      stdout: false,
      stderr: false,
    });
    thread.unref();
    thread.on('error', () => {});
    g[KEY] = ticker;
    return ticker;
  } catch {
    g[KEY] = null;
    return undefined;
  }
}

/** Whether the ticker's thread runs (it may take a while to start on a busy machine). */
export function tickerUp(ticker: Ticker): boolean {
  return Atomics.load(ticker.cells, TICK.up) === 1;
}

/**
 * A timed job starts on this thread: the ticker runs (its `now` brought up to date at once, so the
 * job's first reading is not a stale one) for LEASE_MS, which the job extends ({@link extendLease})
 * each time it sees the clock move; a job that ends, or whose worker is stopped, lets it lapse.
 */
export function tickWhile(ticker: Ticker): void {
  const { cells } = ticker;
  const now = Math.floor(performance.timeOrigin + performance.now()) - ticker.base;
  Atomics.store(cells, TICK.now, now);
  if (Atomics.load(cells, TICK.lease) < now + LEASE_MS) {
    Atomics.store(cells, TICK.lease, now + LEASE_MS);
    Atomics.notify(cells, TICK.lease);
  }
}

/** Keeps the ticker going LEASE_MS past `now` (a reading of its clock). */
export function extendLease(cells: Int32Array, now: number): void {
  if ((cells[TICK.lease] as number) < now + LEASE_MS) cells[TICK.lease] = now + LEASE_MS;
}
