import { startForks, startThreads } from '../limit/workers.js';
import { tasks } from '../tasks.js';
import { compareNumbers } from '../verify.js';
import { square } from '../work.js';
import { type Case, timedCalls, type Workload } from '../workload.js';

/** One `apply` at a time: the cost of a single round trip to a worker and back. */
export const applyRoundTripWorkload: Workload = {
  name: 'apply-round-trip',
  title: 'apply: one round trip',
  description:
    "apply(square, [i]) awaited one call after another, each call timed: the cost of one round trip to a worker and back (median and percentiles per call). Raw libraries: their own single call (run(), queue(), exec(), a bare fork child's send()) awaited the same way. The limit: a bare worker thread that answers a number with its square (child-process is compared with a bare fork child doing the same, with advanced serialization).",
  sharedPool: true,
  async prepare({ sizes }) {
    const n = sizes.roundTrips;
    const expected = Array.from({ length: n }, (_, i) => square(i));
    const same = (value: unknown) => compareNumbers(value, expected);
    const row = (label: string, limit: Case['limit'], call: (i: number) => Promise<unknown>): Case => ({
      method: 'round-trip',
      label,
      ...(limit ? { limit } : {}),
      items: n,
      run: () => timedCalls(n, call),
      verify: same,
    });
    return {
      sequential: [],
      forPool: ({ pool, separateProcesses }) => [
        row('apply(square, [i]), one at a time', separateProcesses ? 'round-trip-fork' : 'round-trip', (i) =>
          pool!.apply(tasks.square, [i]),
        ),
      ],
      forRaw: ({ pool, separateProcesses }) => [
        row('one call, one at a time', separateProcesses ? 'round-trip-fork' : 'round-trip', (i) =>
          pool!.run('square', i),
        ),
      ],
      limitCases: 2,
      async forLimit(processes) {
        const [threads, forks] = await Promise.all([startThreads(processes), startForks(processes)]);
        const thread = threads.channels[0] as (typeof threads.channels)[number];
        const child = forks.channels[0] as (typeof forks.channels)[number];
        return {
          cases: [
            row('worker thread: postMessage → answer', undefined, (i) => thread.call(i)),
            {
              ...row('fork child (advanced serialization): send → answer', undefined, (i) => child.call(i)),
              method: 'round-trip-fork',
            },
          ],
          stop: async () => {
            await Promise.all([threads.stop(), forks.stop()]);
          },
        };
      },
    };
  },
};
