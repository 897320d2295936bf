/**
 * Chunks made only of numbers travel as a Float64Array: structured clone copies
 * it as one block instead of element by element (several times faster for the
 * big numeric chunks of `map`), and no number changes on the way (NaN, -0,
 * integers and fractions survive a float64 exactly).
 */

/** Below this many items, packing saves nothing worth its check. */
const MIN_PACKED = 64;

/**
 * `items` as a Float64Array if every item is a number (and there are enough of
 * them), else `items`. Chunks are then `slice`s of it: each its own buffer, as a
 * view would send the whole buffer.
 */
export function packNumbers(items: unknown[]): unknown[] | Float64Array {
  const n = items.length;
  if (n < MIN_PACKED) return items;
  for (let i = 0; i < n; i++) if (typeof items[i] !== 'number') return items;
  return new Float64Array(items as number[]);
}
