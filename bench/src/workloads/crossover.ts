import { iterationsFor } from '../calibrate.js';
import type { MethodId } from '../ids.js';
import { randomFor } from '../inputs.js';
import { tasks } from '../tasks.js';
import { compareNumbers } from '../verify.js';
import { spin } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { type Case, timed, type Workload } from '../workload.js';

/** The row label of a grain. */
export function grainLabel(us: number): string {
  return us >= 1000 ? `${us / 1000} ms per item` : `${us} µs per item`;
}

/** Seed 003: "at what number of values does parallelism perform better?" */
export const crossoverWorkload: Workload = {
  name: 'crossover',
  title: 'crossover',
  description:
    'A fixed number of items per map call (default chunksize), each taking a calibrated amount of pure computation from ~1 µs to ~10 ms. Each grain is compared with the sequential loop over the same items; a backend "beats sequential from" the smallest grain from which it is at least 5% faster than sequential at that grain and every larger one.',
  sharedPool: true,
  async prepare({ sizes, seed, chunksizeOf }) {
    const random = randomFor(seed, 'crossover');
    const n = sizes.crossoverItems;
    const chunksize = await chunksizeOf(n);
    const grains = sizes.crossoverGrainsUs.map((us) => {
      const iterations = iterationsFor(us);
      const items: [number, number][] = Array.from({ length: n }, () => [random.int(1, 2 ** 31 - 1), iterations]);
      const expected = items.map(spin);
      return { us, label: grainLabel(us), items, verify: (value: unknown) => compareNumbers(value, expected) };
    });
    // The loops call their own copy of the work (see work-reference.ts).
    const work = await referenceWork();
    const each = (method: MethodId, make: (grain: (typeof grains)[number]) => Case['run']): Case[] =>
      grains.map((grain) => ({
        method,
        label: grain.label,
        grainUs: grain.us,
        baseline: 'loop',
        items: n,
        run: make(grain),
        verify: grain.verify,
      }));
    return {
      sequential: each(
        'loop',
        ({ items }) =>
          () =>
            timed(() => items.map(work.spin)),
      ),
      forPool: ({ pool }) =>
        each(
          'map',
          ({ items }) =>
            () =>
              timed(() => pool!.map(tasks.spin, items)),
        ),
      forRaw: ({ pool }) =>
        each(
          'per-chunk',
          ({ items }) =>
            () =>
              timed(() => pool!.map('spin', items, chunksize)),
        ),
      python: { config: { grainsUs: sizes.crossoverGrainsUs, items: n }, expected: {} },
    };
  },
};
