import { hostname } from 'node:os';
import { defineTasks } from '@parapool/core';

export const tasks = defineTasks(import.meta.url, {
  /** Which machine and process ran this item: to see the work spread over the hosts. */
  whereAmI: (_item: number) => `${hostname()} pid ${process.pid}`,
});
