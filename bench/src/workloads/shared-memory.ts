import { transfer } from '@parapool/core';
import { randomFor } from '../inputs.js';
import { tasks } from '../tasks.js';
import { sumArray } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { type Case, caseMaker, timed, type Workload } from '../workload.js';

/** The answer is one number: right when it equals the sequential sum exactly (the items are integers). */
function sameSum(expected: number) {
  return (value: unknown) => (value === expected ? undefined : `sum ${String(value)}, expected ${expected}`);
}

/**
 * A big Float64Array (25 MB in the full run) handed to a worker three ways: copied (structured
 * clone), moved (`transfer()`), or shared (a SharedArrayBuffer every worker
 * reads in place) — the cost of moving data, with the work (a sum) the same.
 */
export const sharedMemoryWorkload: Workload = {
  name: 'shared-memory',
  title: 'shared memory: clone vs transfer vs shared',
  description:
    'The sum of a Float64Array of integers (3.125 million, 25 MB, in the full run) in a worker, the array handed over three ways: copied (apply(sum, [array]): structured clone), moved (apply(sum, [transfer(copy)]): the copy, made before the timer starts, is detached) and shared (a SharedArrayBuffer: apply(sumRange, [shared, 0, n]), and split in one range per process with starmap). Worker processes cannot share or move memory: they run the copied row, and the moved one as a copy.',
  sharedPool: true,
  async prepare({ sizes, processes, seed }) {
    const random = randomFor(seed, 'shared-memory');
    const n = sizes.sharedItems;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.floor(random.float() * 1000); // integers: every sum is exact
    const shared = new Float64Array(new SharedArrayBuffer(n * 8));
    shared.set(data);
    const expected = sumArray(data);
    const verify = sameSum(expected);
    const step = Math.ceil(n / processes);
    // The loop calls its own copy of the work (see work-reference.ts).
    const work = await referenceWork();
    const ranges = Array.from({ length: processes }, (_, p) => [p * step, Math.min(n, (p + 1) * step)] as const);
    const make = caseMaker(n, verify);
    return {
      sequential: [make('sum-loop', 'sum in a loop', () => work.sumArray(data))],
      forPool: ({ pool, separateProcesses }) => {
        const p = pool!;
        const cases: Case[] = [
          make('sum-clone', 'copied (structured clone)', () => p.apply(tasks.sumArray, [data])),
          {
            ...make(
              'sum-transfer',
              separateProcesses ? 'transfer() (a copy: processes cannot move memory)' : 'moved (transfer())',
              () => undefined,
            ),
            run: () => {
              const copy = data.slice(); // made before the timer: what is measured is the hand-over
              return timed(() => p.apply(tasks.sumArray, [transfer(copy)]));
            },
          },
        ];
        if (separateProcesses) return cases;
        return [
          ...cases,
          make('sum-shared', 'shared (SharedArrayBuffer)', () => p.apply(tasks.sumRange, [shared, 0, n])),
          make('sum-shared-parts', `shared, one range per process (${processes})`, async () => {
            const parts = ranges.map(([start, end]) => [shared, start, end] as [Float64Array, number, number]);
            const sums = await p.starmap(tasks.sumRange, parts, { chunksize: 1 });
            return sums.reduce((a, b) => a + b, 0);
          }),
        ];
      },
      // A raw library's own call copies (structured clone), as parapool's 'copied' row does.
      forRaw: ({ pool }) => [make('sum-clone', 'copied (structured clone)', () => pool!.run('sumArray', data))],
    };
  },
};
