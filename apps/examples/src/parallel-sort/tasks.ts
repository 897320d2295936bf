import { defineTasks } from '@parapool/core';

export const tasks = defineTasks(import.meta.url, {
  /** Sorts one part (a typed array sorts numerically, in place, on its own copy). */
  sortPart: (part: Int32Array) => part.sort(),
});
