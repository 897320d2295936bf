import { isMainThread, Worker } from 'node:worker_threads';
import { currentRuntime } from '../runtime.js';
import { STALL, type StallBoard } from '../wire/deadlines.js';
import { heldRecorder, type ItemRecorder } from '../wire/item-record.js';

/**
 * How often the watch looks for its parent, in milliseconds: an orphaned
 * worker process ends within about this long (plus the time the OS takes to
 * schedule the watch's thread on a busy machine).
 */
export const PARENT_WATCH_MS = 200;

/** The most bytes of a job's notes path the board holds (a longer one is not written: no note). */
const NOTES_BYTES = 1024;

/** The cell after the board's, where the length of the outcomes held for the watch is (see {@link heldProcessRecorder}). */
const HELD = STALL.notesLength + 1;

/** The most bytes of outcomes a worker process holds for its watch (memory it touches only as it writes). */
const HELD_BYTES = 1024 * 1024;

/**
 * The watch, run in a thread of its own. Once this process's parent is gone
 * (the kernel gives an orphan a new parent, so `process.ppid` changes), it
 * kills the whole process. A thread, because the main thread may be stuck in
 * a task (`for (;;);`) and never hear that the IPC channel closed; SIGKILL,
 * because nothing is left to report to and nothing may keep the process alive.
 *
 * It also reads the process's stall board (wire/deadlines.ts): a synchronous
 * call of a job with a timeout that has run for the job's timeout and grace
 * period has its index written to the job's notes (`<notes>.timeout`), and the
 * process is killed. The caller, hearing that its worker died, finds the note
 * and fails the job with TaskTimeoutError at that index instead of a crash
 * (never retried). Before it, it appends the outcomes the job held for it
 * (see {@link heldProcessRecorder}) to the job's record file, from which the
 * caller delivers the items that ended before the stuck call. It looks at
 * least every PARENT_WATCH_MS, and when a call's time is up.
 */
const WATCH = `const { workerData: { ppid, ms, cells, notes, base, held } } = require('node:worker_threads');
const { appendFileSync, writeFileSync } = require('node:fs');
const S = ${JSON.stringify(STALL)};
for (;;) {
  if (process.ppid !== ppid) process.kill(process.pid, 'SIGKILL');
  let wait = ms;
  const job = Atomics.load(cells, S.job);
  const item = Atomics.load(cells, S.item);
  if (job !== 0 && item >= 0) {
    const since = Atomics.load(cells, S.since);
    const left = Atomics.load(cells, S.limit) - (Math.floor(performance.timeOrigin + performance.now()) - base - since);
    if (left > 0) wait = Math.min(ms, left);
    else if (Atomics.load(cells, S.job) === job && Atomics.load(cells, S.item) === item && Atomics.load(cells, S.since) === since) {
      const length = Atomics.load(cells, S.notesLength);
      if (length > 0) {
        const path = Buffer.from(notes.slice(0, length)).toString('utf8');
        const kept = Atomics.load(cells, ${HELD});
        try {
          if (kept > 0) appendFileSync(path + '.record', Buffer.from(held.slice(0, kept)));
        } catch {}
        try {
          writeFileSync(path + '.timeout', String(item));
        } catch {}
      }
      process.kill(process.pid, 'SIGKILL');
    } else wait = 1;
  }
  Atomics.wait(cells, 0, 0, wait);
}`;

let watching = false;
let board:
  | (StallBoard & { readonly notes: Uint8Array; readonly held: Uint8Array; notesPath: string | undefined })
  | undefined;

/**
 * Makes this worker process end when its parent dies, whatever its task is
 * doing: a worker whose parent was killed (`SIGKILL`, an out-of-memory kill)
 * would otherwise go on running its task, at 100% CPU for an endless loop,
 * with nobody to read its result. Called once a process starts running jobs
 * (by `runJob`); does nothing in a worker thread (threads end with their
 * process) or when called again. Costs the process one small thread
 * (about 20 MB of memory, a few milliseconds to start).
 *
 * The same thread judges the process's synchronous task calls that never
 * return (see {@link processStallBoard}).
 */
export function watchParent(): void {
  if (watching || !isMainThread) return;
  watching = true;
  if (threadsFail()) return;
  const cells = new Int32Array(new SharedArrayBuffer(4 * (HELD + 1)));
  const notes = new Uint8Array(new SharedArrayBuffer(NOTES_BYTES));
  const held = new Uint8Array(new SharedArrayBuffer(HELD_BYTES));
  const base = Math.floor(performance.timeOrigin + performance.now());
  try {
    const watch = new Worker(WATCH, {
      eval: true,
      workerData: { ppid: process.ppid, ms: PARENT_WATCH_MS, cells, notes, base, held },
      // Nothing of the worker's own flags (a TypeScript loader, --inspect): the watch needs none.
      execArgv: [],
    });
    watch.unref(); // it never keeps the process alive
    watch.on('error', () => {}); // a runtime that cannot run it leaves the process as it was
    board = { cells, base, notes, held, notesPath: undefined };
  } catch {
    // No worker threads here (an unusual runtime): the IPC channel's close still ends an idle worker.
  }
}

/**
 * True where this process cannot start a thread: a Deno cluster worker (`node:cluster`), where
 * Deno sets up the cluster's IPC again in every thread, which fails there ("process.connected is
 * not supported in workers", printed as an uncaught error) and ends the thread as it starts.
 */
function threadsFail(): boolean {
  if (currentRuntime().name !== 'deno') return false;
  const cluster = process.getBuiltinModule?.('node:cluster') as { isWorker?: boolean } | undefined;
  return cluster?.isWorker === true;
}

/**
 * True in a worker process that has no watch thread (see {@link threadsFail}): nothing judges its
 * stuck calls from inside, so it notes which call runs in the job's notes (wire/notes.ts,
 * `callNoter`) for its caller, which judges the job whole.
 */
export function unwatchedProcess(): boolean {
  return watching && board === undefined;
}

/** This worker process's stall board, read by its watch thread (undefined in a thread, or with no watch). */
export function processStallBoard(): StallBoard | undefined {
  return board;
}

/**
 * A job with a timeout starts in this worker process: its watch judges its synchronous calls
 * against `limit` ms (its timeout and grace period), and writes a stuck call's index beside `notes`.
 */
export function openProcessJob(token: number, limit: number, notes: string | undefined): void {
  if (!board) return;
  const { cells } = board;
  if (notes !== board.notesPath) {
    board.notesPath = notes;
    const written = notes === undefined ? undefined : new TextEncoder().encodeInto(notes, board.notes);
    const whole = written !== undefined && written.read === (notes as string).length;
    Atomics.store(cells, STALL.notesLength, whole ? (written as { written: number }).written : 0);
  }
  Atomics.store(cells, STALL.item, -1);
  Atomics.store(cells, HELD, 0); // (what an earlier job held is not this one's)
  Atomics.store(cells, STALL.limit, limit);
  Atomics.store(cells, STALL.job, token);
}

/**
 * For a job with `keepOnStall` in this worker process: a recorder that holds each item's outcome
 * in memory the watch thread reads, which writes it to the job's record file only if a call gets
 * stuck (undefined with no watch thread: the job then writes its record file item by item, as
 * its caller judges its stuck calls, beside the note of which call runs, wire/notes.ts).
 */
export function heldProcessRecorder(): ItemRecorder | undefined {
  return board && heldRecorder(board.held, board.cells, HELD);
}
