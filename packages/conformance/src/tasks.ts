/**
 * The task module the conformance suite runs in workers. Plain data in, plain
 * data out; file-system rendezvous instead of timing, so tests never depend on speed.
 *
 * @module @parapool/conformance/tasks
 * @group For adapter authors
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentWorker, defineTasks, taskSignal, transfer } from '@parapool/core';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An error class of the task's own, to check that names survive the trip. */
export class CustomTaskError extends Error {
  /** Always `'CustomTaskError'`: the suite checks it arrives. */
  override name = 'CustomTaskError';
  /** An own property of the error's: the suite checks it arrives too. */
  code = 'E_CUSTOM';
}

const initCounts = new Map<string, number>();
/** The buffer `keepAndTransfer` last returned, still referenced here: detached once it was moved to the caller. */
let kept: Float64Array | undefined;
let initTag: unknown;
/** What `allocate` keeps alive in this worker. */
const retained: number[][] = [];

/** See `tasks.countRunSpinAt`. */
function countRunSpinAt(dir: string, i: number, spinAt: number): number {
  appendFileSync(join(dir, `run-${i}`), 'x');
  if (i === spinAt) {
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      // stuck: only its worker's end stops it
    }
  }
  return i;
}

/** What `countRunExitOnce` returns for an odd item: a value other than a number. */
interface OddItem {
  /** The item. */
  readonly i: number;
}

function workerId(): string {
  const info = currentWorker();
  if (!info) throw new Error('currentWorker() is undefined inside a task');
  return info.id;
}

/**
 * Writes `dir/started`, then waits `ms` or until its taskSignal() aborts: then writes the abort's
 * reason's name to `dir/aborted` and rejects with it (a task that ends cleanly).
 */
async function awaitSignal(dir: string, ms: number): Promise<string> {
  const signal = taskSignal();
  writeFileSync(join(dir, 'started'), '');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      // Written whole, then renamed: a test that sees the file reads all of it.
      writeFileSync(join(dir, 'aborted.tmp'), String((signal.reason as Error | undefined)?.name));
      renameSync(join(dir, 'aborted.tmp'), join(dir, 'aborted'));
      reject(signal.reason);
    });
  });
  return 'finished';
}

async function waitForFile(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** The suite's tasks, each one behaviour to observe from the caller (its doc says which). */
export const tasks = defineTasks(import.meta.url, {
  /** `n * n`. */
  square: (n: number) => n * n,
  /** What arrived: the array's length, sum and first value (to check a moved buffer crossed whole). */
  describeArray: (data: Float64Array) => ({
    /** The class it arrived as (`Float64Array`). */
    type: data.constructor.name,
    /** Its length. */
    length: data.length,
    /** The sum of its values. */
    sum: data.reduce((a, b) => a + b, 0),
    /** Its first value. */
    first: data[0],
  }),
  /** A Float64Array of 0..n-1, returned marked for transfer; kept here to see whether it was moved. */
  keepAndTransfer: (n: number) => {
    kept = Float64Array.from({ length: n }, (_, i) => i);
    return transfer(kept);
  },
  /** The byteLength of the buffer `keepAndTransfer` last returned, as this worker sees it now. */
  keptByteLength: () => kept?.byteLength,
  /** Returns the array it received marked for transfer, as a task that scales data in place and hands it back does. */
  returnReceived: (_padding: string, data: Float64Array) => transfer(data),
  /** Marks a value that cannot be moved: the task fails with transfer()'s TypeError. */
  transferString: () => transfer('text' as never),
  /** `a + b`: a task of two arguments (starmap, apply). */
  add: (a: number, b: number) => a + b,
  /** Returns what it received: a value's round trip. */
  identity: <T>(value: T): T => value,
  /** `'no-args'`: a task called with no arguments. */
  noArgs: () => 'no-args',
  /** `n * n`, from an async task. */
  asyncSquare: async (n: number) => {
    await sleep(1);
    return n * n;
  },
  /** Resolves with `value` after `ms` milliseconds. */
  sleep: async (ms: number, value?: unknown) => {
    await sleep(ms);
    return value;
  },
  /** The worker's id and the job it ran in: equal stamps mean the same chunk. */
  jobStamp: (_item?: unknown) => {
    const info = currentWorker();
    return `${info?.id}#${info?.jobs}`;
  },
  /** The id of the worker running the task (`currentWorker().id`). */
  workerId: (_item?: unknown) => workerId(),
  /** The pid and thread id of the worker running the task. */
  workerInfo: (_item?: unknown) => {
    const info = currentWorker();
    if (!info) throw new Error('currentWorker() is undefined inside a task');
    return {
      /** The worker's process id. */
      pid: info.pid,
      /** The worker's thread id (0 in a process's main thread). */
      threadId: info.threadId,
    };
  },
  /** Throws a CustomTaskError for item `at`; returns the others. */
  failAt: (n: number, at: number) => {
    if (n === at) throw new CustomTaskError(`item ${n} failed`);
    return n;
  },
  /** Throws a RangeError for a negative `n`; returns the others. */
  failIfNegative: function failIfNegative(n: number) {
    if (n < 0) throw new RangeError(`negative: ${n}`);
    return n;
  },
  /** Throws a string, not an Error. */
  throwString: (_item?: unknown): never => {
    throw 'a thrown string';
  },
  /** Throws `undefined`. */
  throwUndefined: (_item?: unknown): never => {
    throw undefined;
  },
  /** Rejects with a TypeError of `message`, from an async task. */
  rejectAsync: async (message: string) => {
    await sleep(1);
    throw new TypeError(message);
  },
  /** Returns a function: a result that cannot be cloned. */
  returnFunction: (_item?: unknown) => () => 1,
  /** Initializer: counts its runs per worker and keeps a tag. */
  init: (tag: unknown) => {
    const id = workerId();
    initCounts.set(id, (initCounts.get(id) ?? 0) + 1);
    initTag = tag;
  },
  /** What `init` left in this worker. */
  initState: (_item?: unknown) => {
    const id = workerId();
    return {
      /** The worker's id. */
      id,
      /** How many times `init` ran in it. */
      count: initCounts.get(id) ?? 0,
      /** The tag `init` last got. */
      tag: initTag,
    };
  },
  /** An initializer that throws. */
  failingInit: () => {
    throw new Error('initializer exploded');
  },
  /** Writes `dir/name`, so tests can see that (and when) an item ran. */
  mark: (dir: string, name: string) => {
    writeFileSync(join(dir, name), '');
    return name;
  },
  /** `rendezvous` for one-argument calls: resolves with the role once done. */
  rendezvousItem: async (item: { path: string; role: 'wait' | 'create' }) => {
    if (item.role === 'wait') await waitForFile(item.path, 10_000);
    else writeFileSync(item.path, '');
    return item.role;
  },
  /** Throws for item 0; writes `dir/i` for the others (so tests see which ran). */
  markUnlessFirst: (dir: string, i: number) => {
    if (i === 0) throw new Error('first item fails');
    writeFileSync(join(dir, String(i)), '');
    return i;
  },
  /** Writes `dir/name` then waits `ms`: a task tests can see start. */
  markThenSleep: async (dir: string, name: string, ms: number) => {
    writeFileSync(join(dir, name), '');
    await sleep(ms);
    return name;
  },
  /** Waits until `path` exists (or the timeout passes); returns whether it appeared. */
  waitForFile: (path: string, timeoutMs: number) => waitForFile(path, timeoutMs),
  /** 'wait': true once `path` exists (false after 10 s); 'create': creates it. */
  rendezvous: async (path: string, role: 'wait' | 'create') => {
    if (role === 'wait') return waitForFile(path, 10_000);
    await sleep(1);
    writeFileSync(path, '');
    return true;
  },
  /**
   * A barrier: each caller registers under `dir` and waits until `parties`
   * distinct workers have arrived. True if they did within the timeout. It can
   * only succeed if the pool really has that many workers running at once.
   */
  barrier: async (dir: string, parties: number, timeoutMs: number) => {
    const me = workerId().replace(/[^\w-]/g, '_');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, me), '');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (readdirSync(dir).length >= parties) return true;
      if (Date.now() > deadline) return false;
      await sleep(5);
    }
  },
  /** Writes `dir/name`, then never settles: a task that only an abort (or terminate) ends. */
  markThenHang: (dir: string, name: string) => {
    writeFileSync(join(dir, name), '');
    return new Promise<never>(() => {});
  },
  /** Appends a line to `dir/i` (so tests count runs), then returns `i`, or a function (not cloneable) when `bad`. */
  countRun: (dir: string, i: number, bad: boolean) => {
    appendFileSync(join(dir, `run-${i}`), 'x');
    return bad ? ((() => i) as unknown as number) : i;
  },
  /**
   * Writes `dir/started-i`; item 0 then fails at once (`failFirst`) or returns
   * at once; every other item waits for `dir/gate`, then writes `dir/ended-i`.
   */
  gatedItem: async (dir: string, i: number, failFirst: boolean) => {
    writeFileSync(join(dir, `started-${i}`), '');
    if (i === 0) {
      if (failFirst) throw new Error('item 0 failed');
      return 0;
    }
    await waitForFile(join(dir, 'gate'), 10_000);
    writeFileSync(join(dir, `ended-${i}`), '');
    return i;
  },
  /** `gatedItem` for one-argument calls (imap): item 0 returns at once; the others wait for `dir/gate`, then write `dir/ended-i`. */
  gatedByIndex: async ({ dir, i }: { dir: string; i: number }) => {
    writeFileSync(join(dir, `started-${i}`), '');
    if (i === 0) return 0;
    await waitForFile(join(dir, 'gate'), 10_000);
    writeFileSync(join(dir, `ended-${i}`), '');
    return i;
  },
  /** Ends the worker (thread or process) abruptly with `code`. */
  exit: (code: number) => {
    process.exit(code);
  },
  /** Writes `path-waiting`, then ends the worker abruptly with `code` once `path` exists. */
  exitWhenFile: async (path: string, code: number) => {
    writeFileSync(`${path}-waiting`, '');
    await waitForFile(path, 10_000);
    process.exit(code);
  },
  /**
   * Ends the worker abruptly with `code` once `count` files named `run-*` stand in `dir` (the items of
   * another call have all started), after writing `dir/exiting`.
   */
  exitWhenStarted: async (dir: string, count: number, code: number) => {
    const deadline = Date.now() + 20_000;
    while (readdirSync(dir).filter((name) => name.startsWith('run-')).length < count && Date.now() < deadline) {
      await sleep(5);
    }
    writeFileSync(join(dir, 'exiting'), '');
    process.exit(code);
  },
  /** Spins synchronously for `ms` (nothing in its worker runs meanwhile), then returns `value`. */
  spin: (ms: number, value?: unknown) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // spinning: the worker's thread can do nothing else
    }
    return value;
  },
  /**
   * Writes `dir/started`, then waits `ms` or until its taskSignal() aborts: then writes the abort's
   * reason's name to `dir/aborted` and rejects with it (a task that ends cleanly).
   */
  awaitSignal: (dir: string, ms: number) => awaitSignal(dir, ms),
  /**
   * Item `'wait'` is {@link awaitSignal} for a minute; item `'fail'` throws 'failed fast' once the
   * other has started (`dir/started`): the call fails fast while the first still runs.
   */
  signalOrFail: async (dir: string, role: 'wait' | 'fail') => {
    if (role === 'wait') return awaitSignal(dir, 60_000);
    await waitForFile(join(dir, 'started'), 20_000);
    throw new Error('failed fast');
  },
  /** Writes `dir/started`, ignores its signal for `ms`, then writes `dir/ended` and returns 'late'. */
  ignoreSignal: async (dir: string, ms: number) => {
    writeFileSync(join(dir, 'started'), '');
    await sleep(ms);
    writeFileSync(join(dir, 'ended'), '');
    return 'late';
  },
  /** The first run ends its worker abruptly with `code` (leaving `dir/exited`); a later run returns 'second run'. */
  exitOnce: (dir: string, code: number) => {
    const mark = join(dir, 'exited');
    if (existsSync(mark)) return 'second run';
    writeFileSync(mark, '');
    process.exit(code);
  },
  /**
   * Appends 'x' to `dir/run-<i>` (so tests count runs); at item `exitAt`, the first time (no
   * `dir/exited` yet), then ends its worker abruptly with code 7. Returns `i * 10`, or for odd items
   * `{ i }` (a value other than a number).
   */
  countRunExitOnce: (dir: string, i: number, exitAt: number) => {
    appendFileSync(join(dir, `run-${i}`), 'x');
    if (i === exitAt && !existsSync(join(dir, 'exited'))) {
      writeFileSync(join(dir, 'exited'), '');
      process.exit(7);
    }
    return i % 2 === 0 ? i * 10 : ({ i } as OddItem);
  },
  /**
   * Appends 'x' to `dir/run-<i>` (so tests count runs), then returns `i`; item `spinAt` first spins
   * synchronously for a minute (a call stuck in a loop: nothing in its worker runs meanwhile).
   */
  countRunSpinAt: (dir: string, i: number, spinAt: number) => countRunSpinAt(dir, i, spinAt),
  /** `countRunSpinAt` for one-argument calls (imap). */
  countRunSpinAtOf: ({ dir, i, spinAt }: { dir: string; i: number; spinAt: number }) => countRunSpinAt(dir, i, spinAt),
  /** Keeps about `mb` MB of numbers alive in this worker's heap; returns the worker's id. */
  allocate: (mb: number) => {
    retained.push(new Array<number>(Math.ceil((mb * 1024 * 1024) / 8)).fill(0.5));
    return workerId();
  },
  /** Kills the worker with an exception thrown outside the task (from a timer). */
  throwFromTimer: async (message: string) => {
    // A worker process would print the stack of its fatal error on the test's terminal; this
    // expected crash ends the process just the same (exit code 1), without the noise.
    if (typeof process.send === 'function') {
      process.once('uncaughtException', () => process.exit(1));
    }
    setTimeout(() => {
      throw new Error(message);
    }, 1);
    await sleep(60_000);
    return 'unreachable';
  },
});

/** Types of the handles (for tests that build argument lists). */
export type ConformanceTasks = typeof tasks;
