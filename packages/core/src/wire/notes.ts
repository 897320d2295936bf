/**
 * Job notes: files a worker process writes for its caller, which the caller reads after the
 * process died (`Job.notes`): what each ended item of a job that may be sent again ended with
 * (`<notes>.record`), which call a worker's watch found stuck past its timeout
 * (`<notes>.timeout`), and, in a worker process with no watch thread, which call runs
 * (`<notes>.call`). Shared memory would do (it does for thread workers), but a process
 * cannot share memory with its caller; a file written with one synchronous write outlives a
 * process killed right after (the OS has it).
 *
 * They are files in the OS's temporary directory, named after the caller's process and the job
 * (no directory of their own, which a caller killed by a signal would leave behind): a job's
 * record file is removed once the job has ended (by the worker slots when it answered or failed
 * otherwise than by a crash, by its call when it is not sent again after one); a timeout note as
 * soon as it is read. A caller killed by a signal cannot remove its notes: the next caller on the
 * machine to write notes removes those of callers that are gone ({@link sweepNotes}).
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This process's prefix of note paths. */
const PREFIX = `parapool-${process.pid}-${Math.random().toString(36).slice(2, 10)}-`;
/** A note path: `parapool-<caller's pid>-<8 random letters>-<job>.<kind>` (the compile cache's folder does not match). */
const NOTE_NAME = /^parapool-(\d+)-[0-9a-z]{8}-.+\.(?:record|timeout|call)$/;
let count = 0;
let swept = false;

/**
 * The path of a job's notes: the same for the same `key` (a job's resendKey, the same each time
 * it is sent), a new one without. The first one a process asks for starts a sweep of notes left
 * by callers that are gone.
 */
export function notesPath(key?: string): string {
  if (!swept) {
    swept = true;
    void sweepNotes().catch(() => {});
  }
  if (key === undefined) count += 1;
  return join(tmpdir(), `${PREFIX}${key ?? `t${count}`}`);
}

/** Notes untouched this long whose caller is gone are removed (a caller's pid seen from another container may look gone). */
const STALE_NOTES_MS = 10 * 60 * 1000;

/**
 * Removes, from `dir` (the OS's temporary directory), the notes of callers that were killed before
 * they could remove them: notes whose caller's process is gone and that nobody wrote for
 * `staleMs`. Resolves to the paths removed.
 */
export async function sweepNotes(dir = tmpdir(), staleMs = STALE_NOTES_MS): Promise<string[]> {
  const removed: string[] = [];
  const gone = new Map<number, boolean>();
  for (const name of await readdir(dir)) {
    const match = NOTE_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    if (!gone.has(pid)) gone.set(pid, processGone(pid));
    if (!gone.get(pid)) continue;
    const path = join(dir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs < staleMs) continue;
      rmSync(path, { force: true });
      removed.push(path);
    } catch {
      // removed meanwhile, or not ours to remove
    }
  }
  return removed;
}

/** Whether no process has the id `pid` (one that exists but is not ours to signal is there). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The index a worker process's watch noted of the job's call stuck past its timeout, if it did (the note is removed). */
export function takeTimeoutNote(notes: string): number | undefined {
  return takeIndex(`${notes}.timeout`);
}

/** The index written in the file at `path`, if there is one (the file is removed). */
function takeIndex(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  rmSync(path, { force: true });
  const index = Number.parseInt(text, 10);
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** Removes the record file of a job that has ended (nothing if there is none; a timeout note is taken when read). */
export function removeRecord(notes: string): void {
  try {
    rmSync(`${notes}.record`, { force: true });
  } catch {
    // the directory is removed at exit
  }
}

/** Writes the index of each call a job runs to `<notes>.call` (one write each, in place); `close` removes it. */
export interface CallNoter {
  note(index: number): void;
  close(): void;
}

/** Width of a call note: the largest index, padded, so that each write replaces the last whole. */
const CALL_NOTE_WIDTH = 16;

/**
 * The call noter of a job in a worker process with no watch thread (a Deno cluster worker): the
 * caller, finding the job unanswered past its time, reads which call was stuck
 * ({@link takeCallNote}). Undefined if the file cannot be opened (the caller then names the
 * job's first item).
 */
export function callNoter(notes: string): CallNoter | undefined {
  const path = `${notes}.call`;
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch {
    return undefined;
  }
  const bytes = Buffer.alloc(CALL_NOTE_WIDTH);
  return {
    note(index) {
      // Bytes, not a string: Deno's writeSync ignores the position given with a string (it appends).
      bytes.fill(32).write(String(index));
      writeSync(fd, bytes, 0, CALL_NOTE_WIDTH, 0);
    },
    close() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/** The index of the call a worker process with no watch thread was running, if it noted one (the note is removed). */
export function takeCallNote(notes: string): number | undefined {
  return takeIndex(`${notes}.call`);
}
