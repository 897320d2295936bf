/** The tasks of `pnpm bench:bullmq` (bullmq-engine.ts), loaded by its parapool-worker hosts. */
import { defineTasks } from '@parapool/core';

/** Busy-loops for `ms` of CPU time (no sleeping: a host slot is a core). */
function spin(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

export const engineTasks = defineTasks(import.meta.url, {
  identity: (value: number) => value,
  spin: (ms: number) => (spin(ms) > 0 ? ms : 0),
  pid: (_: number) => process.pid,
});
