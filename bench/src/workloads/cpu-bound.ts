import { iterationsFor } from '../calibrate.js';
import { randomFor } from '../inputs.js';
import { tasks } from '../tasks.js';
import { compareNumbers } from '../verify.js';
import { spin } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { caseMaker, type Workload } from '../workload.js';

/** Independent tasks of real computation: the parallel speedup. */
export const cpuBoundWorkload: Workload = {
  name: 'cpu-bound',
  title: 'cpu-bound',
  description:
    'Independent tasks of pure computation (xorshift rounds, calibrated on this machine to the given milliseconds each) mapped with the default chunksize: the parallel speedup. The Python reference calibrates its own task to the same milliseconds.',
  sharedPool: true,
  async prepare({ sizes, seed, chunksizeOf }) {
    const random = randomFor(seed, 'cpu-bound');
    const iterations = iterationsFor(sizes.cpuTaskMs * 1000);
    const items: [number, number][] = Array.from({ length: sizes.cpuTasks }, () => [
      random.int(1, 2 ** 31 - 1),
      iterations,
    ]);
    const expected = items.map(spin);
    const same = (value: unknown) => compareNumbers(value, expected);
    const chunksize = await chunksizeOf(items.length);
    // The loop calls its own copy of the work (see work-reference.ts).
    const work = await referenceWork();
    const make = caseMaker(items.length, same);
    return {
      sequential: [make('loop', 'loop', () => items.map(work.spin))],
      forPool: ({ pool }) => [make('map', 'map', () => pool!.map(tasks.spin, items))],
      forRaw: ({ pool }) => [
        make('per-item', 'per item', () => pool!.map('spin', items, 'item')),
        make('per-chunk', `per chunk (chunksize ${chunksize}, as map)`, () => pool!.map('spin', items, chunksize)),
      ],
      python: { config: { tasks: sizes.cpuTasks, taskMs: sizes.cpuTaskMs }, expected: {} },
    };
  },
};
