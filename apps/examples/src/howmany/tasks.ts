import { defineTasks } from '@parapool/core';

/** How many numbers of `row` lie within [minimum, maximum]. */
function howmanyWithinRange(row: number[], minimum: number, maximum: number): number {
  let count = 0;
  for (const n of row) if (minimum <= n && n <= maximum) count++;
  return count;
}

export const tasks = defineTasks(import.meta.url, {
  howmanyWithinRange,
  /** The one-argument variant for `map` (Python: default arguments 4 and 8). */
  howmanyWithinRangeRowonly: (row: number[], minimum = 4, maximum = 8) => howmanyWithinRange(row, minimum, maximum),
  /** Returns the row's index with the count, so results that arrive in any order can be sorted back. */
  howmanyWithinRange2: (i: number, row: number[], minimum: number, maximum: number): [number, number] => [
    i,
    howmanyWithinRange(row, minimum, maximum),
  ],
});
