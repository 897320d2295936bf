import type { Pool } from '@parapool/core';
import type { MethodId } from '../ids.js';
import { launchForks, launchThreads } from '../limit/workers.js';
import type { RawPool } from '../raw-libraries.js';
import { tasks } from '../tasks.js';
import type { Case, Timed, Workload } from '../workload.js';

const check = (value: unknown) => (value === 9 ? undefined : `first result is ${String(value)}, expected 9`);

/** Times a fresh pool: creation to first result, then shutting it down. */
async function coldStart<P>(
  create: () => P | Promise<P>,
  first: (pool: P) => Promise<unknown>,
  stop: (pool: P) => Promise<void>,
): Promise<{ start: Timed; stop: Timed }> {
  const t0 = performance.now();
  const pool = await create();
  const value = await first(pool);
  const t1 = performance.now();
  await stop(pool);
  const t2 = performance.now();
  return { start: { value, ms: t1 - t0 }, stop: { value, ms: t2 - t1 } };
}

/**
 * Two rows from one measurement: the start-up row times it, the shut-down row
 * reads the same run's figure (so each repeat creates one pool, not two); a
 * shut-down run with no fresh figure to read (its start-up row ran enough
 * times already) measures a pool of its own.
 */
function startAndStop(
  labels: [string, string],
  limit: MethodId,
  measure: () => Promise<{ start: Timed; stop: Timed }>,
): Case[] {
  let last: Promise<{ start: Timed; stop: Timed }> | undefined;
  let read = true;
  return [
    {
      method: 'cold-start',
      label: labels[0],
      limit,
      items: 1,
      run: async () => {
        last = measure();
        read = false;
        return (await last).start;
      },
      verify: check,
    },
    {
      method: 'shutdown',
      label: labels[1],
      items: 1,
      run: async () => {
        if (read || !last) last = measure();
        read = true;
        return (await last).stop;
      },
      verify: check,
    },
  ];
}

/** Cold start: from createPool to the first result, and close() + join(). */
export const coldStartWorkload: Workload = {
  name: 'cold-start',
  title: 'cold start',
  description:
    "A new pool each time: the time from createPool() to the first result of apply(square, [3]) (workers started, task module loaded), and the time of close() + join() afterwards. Raw libraries: constructor to first run(), and destroy()/terminate(). The limit: bare `new Worker()` (or `fork()`) for every worker at once, the first worker's answer, then terminate.",
  sharedPool: false,
  async prepare() {
    const limitOf = (separateProcesses: boolean): MethodId => (separateProcesses ? 'cold-start-fork' : 'cold-start');
    return {
      sequential: [],
      forPool: ({ create, separateProcesses }) =>
        startAndStop(['createPool → first result', 'close() + join()'], limitOf(separateProcesses), () =>
          coldStart(
            create,
            (pool: Pool) => pool.apply(tasks.square, [3]),
            async (pool) => {
              pool.close();
              await pool.join();
            },
          ),
        ),
      forRaw: ({ create, separateProcesses }) =>
        startAndStop(['new pool → first result', 'destroy()'], limitOf(separateProcesses), () =>
          coldStart(
            create,
            (pool: RawPool) => pool.run('square', 3),
            (pool) => pool.destroy(),
          ),
        ),
      limitCases: 2,
      async forLimit(processes) {
        const first = (launch: typeof launchThreads) => async () =>
          (
            await coldStart(
              () => launch(processes),
              (workers) => (workers.channels[0] as (typeof workers.channels)[number]).call(3),
              (workers) => workers.stop(),
            )
          ).start;
        return {
          cases: [
            {
              method: 'cold-start',
              label: `new Worker() × ${processes} at once → first result`,
              items: 1,
              run: first(launchThreads),
              verify: check,
            },
            {
              method: 'cold-start-fork',
              label: `fork() × ${processes} at once → first result`,
              items: 1,
              run: first(launchForks),
              verify: check,
            },
          ],
          stop: async () => {},
        };
      },
      python: { config: {}, expected: {} },
    };
  },
};
