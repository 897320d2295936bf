// Process helpers for this package's tests. Plain JavaScript, so that the
// programs the tests start (fixtures/*.js) use them without a TypeScript loader.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Pids of the running (not zombie) child processes of `ppid`, sorted; `ps` itself left out.
 * @param {number} [ppid] @returns {number[]}
 */
export function liveChildren(ppid = process.pid) {
  let out;
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(ppid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits with 1 when there are none
  }
  return out
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, stat, comm]) => !stat?.startsWith('Z') && comm !== 'ps')
    .map(([pid]) => Number(pid))
    .sort((a, b) => a - b);
}

/**
 * Whether a process exists and is not a zombie (an exited child nobody reaped yet).
 * @param {number} pid @returns {boolean}
 */
export function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Waits until `check()` is true, polling; throws after `timeoutMs`. The
 * deadline is a safety net against a hang, not a measure of speed: keep it generous.
 * @param {() => boolean} check @param {number} timeoutMs @param {string} what @returns {Promise<void>}
 */
export async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Resolves with the error a promise rejects with; fails if it resolves.
 * @param {PromiseLike<unknown>} promise @returns {Promise<Error>}
 */
export async function rejectionOf(promise) {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return /** @type {Error} */ (error);
  }
}
