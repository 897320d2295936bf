/**
 * A coarse clock in shared memory, for timing synchronous task calls: a small thread of its own
 * writes the milliseconds into a cell about once a millisecond while timed jobs run, so that a
 * worker times each call by one plain memory read after it (instead of `performance.now()`, which
 * costs 0.1 µs or more, several times a trivial task). It sleeps while no timed job runs.
 *
 * One per process: the caller's, handed to its thread workers with each timed job (and used by
 * the caller's own thread, inline); a worker process starts its own. Its readings are whole
 * milliseconds, and never run ahead of the real time: a tick the OS is slow to schedule makes a
 * call look shorter, never longer. (A synchronous call that never returns is the caller's watch's,
 * not this clock's.)
 */
import { Worker } from 'node:worker_threads';

/**
 * The cells: the time in ms since `base` (the ticker's start), the number of timed jobs running,
 * one to sleep on, and whether the ticker's thread has started (until then, nobody reads `now`).
 */
export const TICK = { now: 0, active: 1, sleep: 2, up: 3 } as const;
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
  if (Atomics.load(cells, 1) <= 0) Atomics.wait(cells, 1, Atomics.load(cells, 1));
  Atomics.store(cells, 0, epoch());
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
 * job's first reading is not a stale one). Returns the function that says the job has ended.
 */
export function tickWhile(ticker: Ticker): () => void {
  const { cells } = ticker;
  Atomics.store(cells, TICK.now, Math.floor(performance.timeOrigin + performance.now()) - ticker.base);
  if (Atomics.add(cells, TICK.active, 1) === 0) Atomics.notify(cells, TICK.active);
  return () => {
    Atomics.sub(cells, TICK.active, 1);
  };
}
