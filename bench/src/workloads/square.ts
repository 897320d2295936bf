import { randomFor } from '../inputs.js';
import { spread } from '../limit/channel.js';
import { doublesArray, packNumbers, unpackInto } from '../limit/packing.js';
import { startThreads } from '../limit/workers.js';
import { tasks } from '../tasks.js';
import { compareNumbers, digest } from '../verify.js';
import { square } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { caseMaker, timed, type Workload } from '../workload.js';
import { writeFloat64 } from './python-inputs.js';

/** Seed 002: map of a trivial function over many numbers, i.e. the per-item overhead. */
export const squareWorkload: Workload = {
  name: 'square',
  title: 'square',
  description:
    'map(square) over integers in [0, 1,000,000): almost no work per item, so the time is the per-item cost of moving items to workers and results back. The limit packs each chunk (the chunks map uses) into a Float64Array, transferred to a bare worker thread and back.',
  sharedPool: true,
  async prepare({ sizes, seed, scratch, python, chunksizeOf }) {
    const random = randomFor(seed, 'square');
    const xs = Array.from({ length: sizes.squareItems }, () => random.int(0, 999_999));
    const expected = xs.map(square);
    const same = (value: unknown) => compareNumbers(value, expected);
    const chunksize = await chunksizeOf(xs.length);
    // The loop calls its own copy of the work (see work-reference.ts).
    const work = await referenceWork();
    const make = caseMaker(xs.length, same);
    return {
      sequential: [
        make('loop', 'loop', () => {
          const out = new Array<number>(xs.length);
          for (let i = 0; i < xs.length; i++) out[i] = work.square(xs[i] as number);
          return out;
        }),
      ],
      forPool: ({ pool }) => [make('map', 'map', () => pool!.map(tasks.square, xs), { limit: 'map' })],
      forRaw: ({ pool }) => [
        make('per-chunk', `per chunk (chunksize ${chunksize}, as map)`, () => pool!.map('square', xs, chunksize), {
          limit: 'map',
        }),
      ],
      limitCases: 1,
      async forLimit(processes) {
        const workers = await startThreads(processes);
        return {
          cases: [
            {
              method: 'map',
              label: 'map: a Float64Array per chunk, transferred',
              items: xs.length,
              run: () =>
                timed(async () => {
                  // (squares up to 10^12: no small integers)
                  const out = doublesArray(xs.length);
                  await spread<Float64Array>(
                    workers.channels,
                    Math.ceil(xs.length / chunksize),
                    (i) => {
                      const chunk = packNumbers(xs, i * chunksize, Math.min(xs.length, (i + 1) * chunksize));
                      return { message: { op: 'square', xs: chunk }, transfer: [chunk.buffer] };
                    },
                    (i, squares) => unpackInto(out, i * chunksize, squares),
                  );
                  return out;
                }),
              verify: same,
            },
          ],
          stop: () => workers.stop(),
        };
      },
      python: python
        ? {
            config: { xs: await writeFloat64(scratch, 'square-xs', xs) },
            expected: { loop: digest(expected), map: digest(expected) },
          }
        : undefined,
    };
  },
};
