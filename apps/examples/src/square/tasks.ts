import { defineTasks } from '@parapool/core';

export const tasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
});
