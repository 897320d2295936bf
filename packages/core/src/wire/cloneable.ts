import { CloneError } from '../errors.js';
import { isDataCloneError, serializeError, toCloneError } from './error-transport.js';
import type { ItemFailure, JobResult } from './job.js';
import { containsSharedMemory } from './shared-memory.js';

/** A getter that threw while a value was walked. */
class ThrowingGetter extends Error {
  constructor(
    readonly key: string,
    readonly thrown: unknown,
  ) {
    super(`reading property '${key}' threw`);
  }
}

/** Shared memory found where it cannot go (a process channel). */
class SharedMemoryRefusal extends Error {}

/** Options of {@link ensureCloneable}. */
export interface CloneCheckOptions {
  /**
   * Whether shared memory may cross. Default `true` (threads share it); pass
   * `false` when the result goes over a process channel, where a
   * `SharedArrayBuffer` makes the write throw.
   */
  readonly sharedMemory?: boolean;
  /**
   * A channel with an encoding of its own (a process channel with
   * `serialization: 'json'`), when a send has already failed: every value is
   * probed with `encode` (no cached verdict is trusted), a value it refuses
   * fails alone, and an error payload it refuses keeps only its name, message
   * and stack. `carries` says what crosses, for the CloneError.
   */
  readonly channel?: {
    /** Encodes a value as the channel would (throws for what it cannot carry). */
    encode(value: unknown): unknown;
    /** What the channel carries, in words, for the CloneError. */
    readonly carries: string;
  };
}

function read(object: Record<string, unknown>, key: string): unknown {
  try {
    return object[key];
  } catch (thrown) {
    throw new ThrowingGetter(key, thrown);
  }
}

/**
 * True when `value` can surely be structured-cloned, found by a walk (far
 * cheaper than a trial clone): primitives, arrays, plain objects, typed arrays,
 * dates, maps, sets. `false` means "not sure" (class instances, cycles, depth),
 * not "cannot". Throws a ThrowingGetter when reading a property throws.
 */
function surelyCloneable(value: unknown, shared: boolean, depth = 0): boolean {
  const type = typeof value;
  if (type === 'function' || type === 'symbol') return false;
  if (value === null || type !== 'object') return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (!surelyCloneable(element, shared, depth + 1)) return false;
    return true;
  }
  if (ArrayBuffer.isView(value)) {
    if (!shared && value.buffer instanceof SharedArrayBuffer) throw new SharedMemoryRefusal();
    return true;
  }
  if (value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return true;
  if (value instanceof SharedArrayBuffer) {
    if (!shared) throw new SharedMemoryRefusal();
    return true;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (!surelyCloneable(k, shared, depth + 1) || !surelyCloneable(v, shared, depth + 1)) return false;
    }
    return true;
  }
  if (value instanceof Set) {
    for (const v of value) if (!surelyCloneable(v, shared, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!surelyCloneable(read(value as Record<string, unknown>, key), shared, depth + 1)) return false;
  }
  return true;
}

/** The CloneError an item fails with when its result cannot be copied. */
function resultCloneError(error: unknown): CloneError {
  if (isDataCloneError(error)) return toCloneError(error, 'result');
  if (error instanceof SharedMemoryRefusal) {
    return new CloneError(
      'A result could not be copied between processes: it holds a SharedArrayBuffer, and shared memory exists only between the threads of one process. Return a copy (an ArrayBuffer or typed array), or use worker threads.',
    );
  }
  const getter = error instanceof ThrowingGetter ? `its property '${error.key}'` : 'one of its properties';
  const thrown = error instanceof ThrowingGetter ? error.thrown : error;
  const reason = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  const wrapped = new CloneError(
    `A result could not be copied between threads/processes: reading ${getter} threw ${reason}. A getter that throws cannot be copied; return plain data.`,
  );
  wrapped.cause = thrown;
  return wrapped;
}

/** Results already checked (by the worker runtime), so an adapter's own call costs a lookup. */
const checkedForThreads = new WeakSet<JobResult>();
const checkedForProcesses = new WeakSet<JobResult>();

/**
 * Makes sure a job's result can be structured-cloned, for transports that would
 * otherwise fail where the caller cannot see it (a library posting the value
 * itself): items whose value cannot be cloned (a function, a symbol, a getter
 * that throws...) become CloneError failures; the other items keep their values.
 * Values are walked, and trial-cloned only where the walk is not sure.
 * The worker runtime already does this for every job; calling it again is cheap.
 */
export function ensureCloneable(result: JobResult, options: CloneCheckOptions = {}): JobResult {
  if (options.channel) return encodableBy(result, options.channel);
  const shared = options.sharedMemory ?? true;
  if (checkedForProcesses.has(result) || (shared && checkedForThreads.has(result))) return result;
  const checked = shared ? checkedForThreads : checkedForProcesses;
  const { values } = result;
  if (!Array.isArray(values)) return result; // a packed Float64Array or numeric tuples
  let failures: ItemFailure[] | undefined;
  let safe: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    try {
      if (surelyCloneable(value, shared)) continue;
      structuredClone(value);
      if (!shared && containsSharedMemory(value)) throw new SharedMemoryRefusal();
    } catch (error) {
      failures ??= [...(result.failures ?? [])];
      safe ??= values.slice();
      safe[i] = undefined;
      failures.push({ index: i, error: serializeError(resultCloneError(error)) });
    }
  }
  if (!failures || !safe) {
    checked.add(result);
    return result;
  }
  failures.sort((a, b) => a.index - b.index);
  const out: JobResult = { ...result, values: safe, failures };
  checked.add(out);
  return out;
}

/** ensureCloneable for a channel with its own encoding (see CloneCheckOptions.channel). */
function encodableBy(result: JobResult, channel: NonNullable<CloneCheckOptions['channel']>): JobResult {
  const refuses = (value: unknown): string | undefined => {
    try {
      channel.encode(value);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  let changed = false;
  const failures = (result.failures ?? []).map((failure) => {
    if (refuses(failure.error) === undefined) return failure;
    changed = true;
    const { name, message, stack } = failure.error;
    return { index: failure.index, error: { name, message, ...(stack !== undefined && { stack }) } };
  });
  const { values } = result;
  if (!Array.isArray(values)) return changed ? { ...result, failures } : result;
  let safe: unknown[] | undefined;
  for (let index = 0; index < values.length; index++) {
    const reason = refuses(values[index]);
    if (reason === undefined) continue;
    safe ??= values.slice();
    safe[index] = undefined;
    failures.push({
      index,
      error: serializeError(
        new CloneError(
          `A result could not be copied between processes: ${reason}. Only data the IPC channel can encode crosses (${channel.carries}).`,
        ),
      ),
    });
  }
  if (!safe && !changed) return result;
  failures.sort((a, b) => a.index - b.index);
  return { ...result, values: safe ?? values, failures };
}
