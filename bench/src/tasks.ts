/**
 * The bench's parapool task module. Workers import the built copy
 * (dist/tasks.js), so the bench measures plain JavaScript.
 */
import { defineTasks } from '@parapool/core';
import { fetchValue, howmany, howmanyIndexed, howmanyRow, sortPart, spin, square, sumArray, sumRange } from './work.js';

export const tasks = defineTasks(import.meta.url, {
  howmany,
  howmanyRow,
  howmanyIndexed,
  square,
  spin,
  sortPart,
  fetchValue,
  sumArray,
  sumRange,
});
