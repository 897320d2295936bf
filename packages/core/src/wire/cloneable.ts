import { serializeError, toCloneError } from './error-transport.js';
import type { ItemFailure, JobResult } from './job.js';

/**
 * True when `value` can surely be structured-cloned, found by a walk (far
 * cheaper than a trial clone): primitives, arrays, plain objects, typed arrays,
 * dates, maps, sets. `false` means "not sure" (class instances, cycles, depth),
 * not "cannot".
 */
function surelyCloneable(value: unknown, depth = 0): boolean {
  const type = typeof value;
  if (type === 'function' || type === 'symbol') return false;
  if (value === null || type !== 'object') return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (!surelyCloneable(element, depth + 1)) return false;
    return true;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) {
    return true;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) if (!surelyCloneable(k, depth + 1) || !surelyCloneable(v, depth + 1)) return false;
    return true;
  }
  if (value instanceof Set) {
    for (const v of value) if (!surelyCloneable(v, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!surelyCloneable((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Makes sure a job's result can be structured-cloned, for transports that would
 * otherwise fail where the caller cannot see it (a library posting the value
 * itself): items whose value cannot be cloned become CloneError failures.
 * Values are walked, and trial-cloned only where the walk is not sure.
 */
export function ensureCloneable(result: JobResult): JobResult {
  const { values } = result;
  if (!Array.isArray(values)) return result; // a packed Float64Array
  let failures: ItemFailure[] | undefined;
  let safe: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (surelyCloneable(value)) continue;
    try {
      structuredClone(value);
    } catch (error) {
      failures ??= [...(result.failures ?? [])];
      safe ??= values.slice();
      safe[i] = undefined;
      failures.push({ index: i, error: serializeError(toCloneError(error, 'result')) });
    }
  }
  if (!failures || !safe) return result;
  failures.sort((a, b) => a.index - b.index);
  return { values: safe, failures };
}
