/**
 * Job notes: files a worker process writes for its caller, which the caller reads after the
 * process died (`Job.notes`): what each ended item of a job that may be sent again ended with
 * (`<notes>.record`), and which call a worker's watch found stuck past its timeout
 * (`<notes>.timeout`). Shared memory would do (it does for thread workers), but a process
 * cannot share memory with its caller; a file written with one synchronous write outlives a
 * process killed right after (the OS has it).
 *
 * They are files in the OS's temporary directory, named after the caller's process and the job
 * (no directory of their own, which a caller killed by a signal would leave behind): a job's
 * record file is removed once the job has ended (by the worker slots when it answered or failed
 * otherwise than by a crash, by its call when it is not sent again after one); a timeout note as
 * soon as it is read.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This process's prefix of note paths. */
const PREFIX = `parapool-${process.pid}-${Math.random().toString(36).slice(2, 10)}-`;
let count = 0;

/**
 * The path of a job's notes: the same for the same `key` (a job's resendKey, the same each time
 * it is sent), a new one without.
 */
export function notesPath(key?: string): string {
  if (key === undefined) count += 1;
  return join(tmpdir(), `${PREFIX}${key ?? `t${count}`}`);
}

/** The index a worker process's watch noted of the job's call stuck past its timeout, if it did (the note is removed). */
export function takeTimeoutNote(notes: string): number | undefined {
  const path = `${notes}.timeout`;
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
