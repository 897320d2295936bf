/**
 * Shared memory crosses between threads, never between processes: a
 * `SharedArrayBuffer` (or a view of one) that structured clone passes to a
 * thread makes a process channel throw. Backends whose workers are processes
 * behind a thread-style channel check a job with this before sending it.
 */

/** Containers visited at most: beyond them the walk gives up and says "none found". */
const MAX_VISITS = 1_000_000;

/**
 * True when `value` holds a `SharedArrayBuffer`, found by walking what
 * structured clone copies (arrays, objects' own enumerable fields, maps, sets,
 * typed arrays' buffers). Iterative and cycle-safe.
 */
export function containsSharedMemory(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const seen = new Set<object>();
  const stack: object[] = [value];
  while (stack.length > 0) {
    const next = stack.pop() as object;
    if (seen.has(next)) continue;
    seen.add(next);
    if (seen.size > MAX_VISITS) return false;
    if (next instanceof SharedArrayBuffer) return true;
    if (ArrayBuffer.isView(next)) {
      if (next.buffer instanceof SharedArrayBuffer) return true;
      continue;
    }
    if (next instanceof ArrayBuffer || next instanceof Date || next instanceof RegExp) continue;
    const push = (child: unknown) => {
      if (child !== null && typeof child === 'object') stack.push(child);
    };
    if (next instanceof Map) {
      for (const [key, entry] of next) {
        push(key);
        push(entry);
      }
    } else if (next instanceof Set) {
      for (const entry of next) push(entry);
    } else if (Array.isArray(next)) {
      for (const entry of next) push(entry);
    } else {
      for (const key of Object.keys(next)) {
        try {
          push((next as Record<string, unknown>)[key]);
        } catch {
          // A getter that throws: structured clone fails on it anyway, with its own error.
        }
      }
    }
  }
  return false;
}
