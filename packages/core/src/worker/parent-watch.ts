import { isMainThread, Worker } from 'node:worker_threads';

/**
 * How often the watch looks for its parent, in milliseconds: an orphaned
 * worker process ends within about this long (plus the time the OS takes to
 * schedule the watch's thread on a busy machine).
 */
export const PARENT_WATCH_MS = 200;

/**
 * The watch, run in a thread of its own: once this process's parent is gone
 * (the kernel gives an orphan a new parent, so `process.ppid` changes), it
 * kills the whole process. A thread, because the main thread may be stuck in
 * a task (`for (;;);`) and never hear that the IPC channel closed; SIGKILL,
 * because nothing is left to report to and nothing may keep the process alive.
 */
const WATCH = `const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
}, workerData.ms);`;

let watching = false;

/**
 * Makes this worker process end when its parent dies, whatever its task is
 * doing: a worker whose parent was killed (`SIGKILL`, an out-of-memory kill)
 * would otherwise go on running its task, at 100% CPU for an endless loop,
 * with nobody to read its result. Called once a process starts running jobs
 * (by `runJob`); does nothing in a worker thread (threads end with their
 * process) or when called again. Costs the process one small thread
 * (about 20 MB of memory, a few milliseconds to start).
 */
export function watchParent(): void {
  if (watching || !isMainThread) return;
  watching = true;
  try {
    const watch = new Worker(WATCH, {
      eval: true,
      workerData: { ppid: process.ppid, ms: PARENT_WATCH_MS },
      // Nothing of the worker's own flags (a TypeScript loader, --inspect): the watch needs none.
      execArgv: [],
    });
    watch.unref(); // it never keeps the process alive
    watch.on('error', () => {}); // a runtime that cannot run it leaves the process as it was
  } catch {
    // No worker threads here (an unusual runtime): the IPC channel's close still ends an idle worker.
  }
}
