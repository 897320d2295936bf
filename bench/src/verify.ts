import { createHash } from 'node:crypto';

/** Says where two number sequences first differ, or `undefined` when they are equal. */
export function compareNumbers(actual: unknown, expected: ArrayLike<number>): string | undefined {
  if (!isArrayLike(actual)) return `expected a list of ${expected.length} numbers, got ${describe(actual)}`;
  if (actual.length !== expected.length) return `expected ${expected.length} results, got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) return `result ${i} is ${String(actual[i])}, expected ${expected[i]}`;
  }
  return undefined;
}

/** Like compareNumbers, ignoring order (for imapUnordered). */
export function compareAsMultiset(actual: unknown, expected: ArrayLike<number>): string | undefined {
  if (!isArrayLike(actual)) return `expected a list of ${expected.length} numbers, got ${describe(actual)}`;
  const sortedActual = Float64Array.from(actual as ArrayLike<number>).sort();
  const sortedExpected = Float64Array.from(expected).sort();
  const problem = compareNumbers(sortedActual, sortedExpected);
  return problem && `as a multiset: ${problem}`;
}

/**
 * sha256 of the numbers as little-endian float64: how the Python reference's
 * answers are checked against the sequential one without sending them back.
 */
export function digest(values: ArrayLike<number>): string {
  const bytes = Float64Array.from(values);
  return createHash('sha256').update(new Uint8Array(bytes.buffer)).digest('hex');
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
