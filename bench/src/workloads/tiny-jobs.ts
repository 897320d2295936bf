import { tasks } from '../tasks.js';
import { compareNumbers } from '../verify.js';
import { square } from '../work.js';
import { timed, type Workload } from '../workload.js';

/** One item per chunk, almost no work: what one job costs a backend to hand over and bring back. */
export const tinyJobsWorkload: Workload = {
  name: 'tiny-jobs',
  title: 'tiny jobs',
  description:
    'map(square) with chunksize 1 over as many numbers as the one-call-per-item methods use: every item is its own job, so the time per item is the cost of one job (chunks/s = items ÷ time), the figure that matters for a backend whose hand-over crosses a network.',
  sharedPool: true,
  async prepare({ sizes }) {
    const xs = Array.from({ length: sizes.howmanySample }, (_, i) => i);
    const expected = xs.map(square);
    const same = (value: unknown) => compareNumbers(value, expected);
    return {
      sequential: [{ method: 'loop', items: xs.length, run: () => timed(() => xs.map(square)), verify: same }],
      forPool: ({ pool }) => [
        {
          method: 'map, chunksize 1',
          items: xs.length,
          run: () => timed(() => pool!.map(tasks.square, xs, { chunksize: 1 })),
          verify: same,
        },
      ],
      forRaw: () => [],
    };
  },
};
