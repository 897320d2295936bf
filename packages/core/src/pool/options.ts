import { cpuCount } from '../cpu-count.js';
import { UnsupportedRuntimeError } from '../errors.js';
import { currentRuntime } from '../runtime.js';
import { toTaskRef } from '../tasks.js';
import type { TaskCall } from '../wire/job.js';
import type { PoolOptions } from './types.js';

/** A value as an error message should show it: its type, and the value when short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
  }
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : `${typeof value}`;
}

/** The pool options the core resolved and validated. */
export interface ResolvedOptions {
  readonly processes: number;
  readonly maxtasksperchild: number | undefined;
  readonly maxmemoryperchild: number | undefined;
  readonly timeout: number | undefined;
  readonly retries: number;
  readonly grace: number | undefined;
  readonly initializer: TaskCall | undefined;
}

/**
 * Checks an option that counts (`timeout`, `retries`, `maxmemoryperchild`...):
 * undefined (or null) stays undefined; anything else must be an integer ≥
 * `min`, or a TypeError (not a number) / RangeError names the option and what
 * it got. `what` says what the option is, for the message.
 */
export function checkCount(name: string, value: unknown, min: 0 | 1, what: string, max?: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const want = `${name} must be an integer ≥ ${min}${max === undefined ? '' : ` and ≤ ${max}`} (${what})`;
  if (typeof value !== 'number') throw new TypeError(`${want}; got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new RangeError(`${want}; got ${describeValue(value)}`);
  }
  return value;
}

/** The longest timeout and grace period (ms): the longest delay a Node timer takes, about 24.8 days. */
export const MAX_MS = 2 ** 31 - 1;

/** What each counting option means, for its error message. */
export const COUNTS = {
  timeout: 'milliseconds each task call may run; leave it out for no timeout',
  retries: 'times the items of a job whose worker died run again; 0 or left out: never',
  maxmemoryperchild: 'megabytes of heap after which a worker is replaced; leave it out for never',
  grace: 'milliseconds a task gets after its signal before its worker is stopped',
} as const;

/** More workers than this many per core is almost surely a mistake: warned about once. */
const WORKERS_PER_CORE_WARNING = 8;
let warnedOversize = false;

/**
 * Throws the TypeError every `createPool` gives for options that are not an
 * object (`createPool(null)`), so that adapters, which read their own key
 * first, say the same as the core.
 */
export function checkPoolOptions(options: unknown): asserts options is object {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `Pool options must be an object, e.g. createPool({ processes: 4 }), or nothing for the defaults (got ${describeValue(options)})`,
    );
  }
}

/**
 * Warns once per process about a pool of far more workers than this machine has cores (the pool calls it
 * once its backend is made, unless the backend's workers are elsewhere: `workersElsewhere`).
 */
export function warnIfOversized(processes: number): void {
  if (processes > WORKERS_PER_CORE_WARNING * cpuCount() && !warnedOversize) {
    warnedOversize = true;
    process.emitWarning(
      `A pool of ${processes} workers on ${cpuCount()} cores: workers beyond the cores only add start-up time and memory for CPU-bound tasks. Use processes: cpuCount() unless the tasks mostly wait.`,
      { code: 'PARAPOOL_OVERSIZED_POOL' },
    );
  }
}

/** Validates pool options; throws RangeError/TypeError at construction, like Python's ValueError. */
export function resolveOptions(options: PoolOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  checkPoolOptions(options);
  const processes = options.processes ?? cpuCount();
  if (typeof processes !== 'number' || !Number.isInteger(processes) || processes < 1) {
    throw new RangeError(`processes must be an integer ≥ 1 (got ${describeValue(options.processes)})`);
  }
  const max = options.maxtasksperchild;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new RangeError(`maxtasksperchild must be an integer ≥ 1, or undefined for never (got ${describeValue(max)})`);
  }
  let initializer: TaskCall | undefined;
  if (options.initializer !== undefined && options.initializer !== null) {
    const args = options.initargs ?? [];
    if (!Array.isArray(args)) {
      throw new TypeError(`initargs must be an array of arguments for the initializer (got ${describeValue(args)})`);
    }
    initializer = { task: toTaskRef(options.initializer), args };
  } else if (options.initargs !== undefined && (options.initargs as unknown[]).length > 0) {
    throw new TypeError('initargs was given without an initializer');
  }
  const maxmemoryperchild = checkCount('maxmemoryperchild', options.maxmemoryperchild, 1, COUNTS.maxmemoryperchild);
  if (maxmemoryperchild !== undefined && currentRuntime().name === 'bun') {
    // Measured: a worker holding 160 MB in a module's array reported a few MB through both
    // process.memoryUsage() and JavaScriptCore's heapStats(), so the bound would never be seen.
    throw new UnsupportedRuntimeError(
      `maxmemoryperchild does not work on ${currentRuntime().label}: its workers do not report the memory they hold reliably, so the bound would never be reached. Use maxtasksperchild to replace workers regularly instead.`,
    );
  }
  const timeout = checkCount('timeout', options.timeout, 1, COUNTS.timeout, MAX_MS);
  const retries = checkCount('retries', options.retries, 0, COUNTS.retries) ?? 0;
  const grace = checkCount('grace', options.grace, 0, COUNTS.grace, MAX_MS);
  return { processes, maxtasksperchild: max ?? undefined, maxmemoryperchild, timeout, retries, grace, initializer };
}

/** An argument list as an array (any iterable is accepted, as Python accepts any sequence). */
export function toArgsArray(args: unknown, what: string): unknown[] {
  if (Array.isArray(args)) return args;
  if (args !== null && typeof args === 'object' && Symbol.iterator in args)
    return Array.from(args as Iterable<unknown>);
  throw new TypeError(`${what} must be an array of arguments (got ${describeValue(args)})`);
}

/** The items of map/starmap as an array. */
export function toItems(items: unknown, method: string): unknown[] {
  if (Array.isArray(items)) return items;
  if (items !== null && items !== undefined && typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Array.from(items as Iterable<unknown>);
  }
  const hint =
    items !== null &&
    items !== undefined &&
    typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
      ? ': for an async iterable, use pool.imap()'
      : '';
  throw new TypeError(`${method}() needs an iterable of items (got ${describeValue(items)})${hint}`);
}

/**
 * Python's default chunksize for map/starmap:
 * `ceil(n / (4 * processes))`, and 0 for an empty input.
 */
export function defaultChunksize(length: number, processes: number): number {
  if (length === 0) return 0;
  return Math.ceil(length / (4 * processes));
}

/** Validates a caller-supplied chunksize other than `'auto'`. */
export function checkChunksize(chunksize: unknown): number {
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new RangeError(`chunksize must be an integer ≥ 1 or 'auto' (got ${String(chunksize)})`);
  }
  return chunksize;
}
