/**
 * The work functions again, in a module instance of their own, for the
 * sequential loops to call.
 *
 * The inline backend runs the task functions (the same functions, from
 * work.js) on this thread, with arguments of other shapes (the rows the worker
 * runtime makes, argument columns, one-item jobs), and V8 optimizes a function
 * for what it has seen. Called by both, the sequential loop measured what the
 * inline backend left behind: howmany's loop over 200,000 rows took 26–32 ms in
 * runs that included inline, 12.5 ms in one that did not, and 12.6 ms with its
 * own copy in a run with inline. A user's own loop in a program that runs no
 * task in its thread sees the latter.
 */
import type * as Work from './work.js';

export type WorkModule = typeof Work;

const url = `${new URL('./work.js', import.meta.url).href}?reference`;

/** work.js as a second module instance: functions that only the sequential loops call. */
export function referenceWork(): Promise<WorkModule> {
  return import(url) as Promise<WorkModule>;
}
