import type { Pool } from '@parapool/core';
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
 * reads the same run's figure (so each repeat creates one pool, not two).
 */
function startAndStop(labels: [string, string], measure: () => Promise<{ start: Timed; stop: Timed }>): Case[] {
  let last: Promise<{ start: Timed; stop: Timed }> | undefined;
  return [
    {
      method: labels[0],
      items: 1,
      run: async () => {
        last = measure();
        return (await last).start;
      },
      verify: check,
    },
    {
      method: labels[1],
      items: 1,
      run: async () => (await (last ?? measure())).stop,
      verify: check,
    },
  ];
}

/** Cold start: from createPool to the first result, and close() + join(). */
export const coldStartWorkload: Workload = {
  name: 'cold-start',
  title: 'cold start',
  description:
    'A new pool each time: the time from createPool() to the first result of apply(square, [3]) (workers started, task module loaded), and the time of close() + join() afterwards. Raw libraries: constructor to first run(), and destroy()/terminate().',
  sharedPool: false,
  async prepare() {
    return {
      sequential: [],
      forPool: ({ create }) =>
        startAndStop(['createPool → first result', 'close() + join()'], () =>
          coldStart(
            create,
            (pool: Pool) => pool.apply(tasks.square, [3]),
            async (pool) => {
              pool.close();
              await pool.join();
            },
          ),
        ),
      forRaw: ({ create }) =>
        startAndStop(['new pool → first result', 'destroy()'], () =>
          coldStart(
            create,
            (pool: RawPool) => pool.run('square', 3),
            (pool) => pool.destroy(),
          ),
        ),
      python: { config: {}, expected: {} },
    };
  },
};
