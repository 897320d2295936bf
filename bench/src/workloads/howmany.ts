import type { MethodId } from '../ids.js';
import { randomFor } from '../inputs.js';
import { spread } from '../limit/channel.js';
import { packColumn, packRows, packRowsOf, unpackInto } from '../limit/packing.js';
import { startThreads } from '../limit/workers.js';
import { tasks } from '../tasks.js';
import { compareAsMultiset, compareNumbers, digest } from '../verify.js';
import { howmany } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { type Case, caseMaker, timed, type Workload } from '../workload.js';
import { writeFloat64 } from './python-inputs.js';

type Row = number[];

/** Every item an async iterable (imap) yields, in the order it yields them. */
async function toArray<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * Seeds 001 and 004: how many values of each row lie in [4, 8], by every
 * Pool method of the tutorials.
 */
export const howmanyWorkload: Workload = {
  name: 'howmany',
  title: 'howmany-within-range',
  description:
    "Rows of 5 integers in [0, 10); count the values in [4, 8] per row, by every Pool method of the tutorials. One-call-per-item methods (apply in a loop, raw libraries per item, map with chunksize 1) run on a sample of the rows and are compared with the sequential loop over that sample. The limit packs each chunk's rows (the chunks map uses) into one Float64Array, transferred to a bare worker thread and back.",
  sharedPool: true,
  async prepare({ sizes, seed, scratch, python, chunksizeOf }) {
    const random = randomFor(seed, 'howmany');
    const data: Row[] = [];
    const cell = () => random.int(0, 9);
    for (let i = 0; i < sizes.howmanyRows; i++) data.push([cell(), cell(), cell(), cell(), cell()]);
    const sample = data.slice(0, sizes.howmanySample);
    const expected = data.map((row) => howmany(row, 4, 8));
    const expectedSample = expected.slice(0, sample.length);
    const chunksize = await chunksizeOf(data.length);
    const same = (value: unknown) => compareNumbers(value, expected);
    const sameSample = (value: unknown) => compareNumbers(value, expectedSample);
    const imapOptions = { chunksize: sizes.imapChunksize };
    // The loops call their own copy of the work (see work-reference.ts).
    const work = await referenceWork();
    /** A row over all the rows, or over the sample (compared with the loop over the sample). */
    const onAll = caseMaker(data.length, same);
    const sampled = caseMaker(sample.length, sameSample);
    const onSample = (method: MethodId, label: string, fn: () => unknown) =>
      sampled(method, label, fn, { baseline: 'loop-sample' });
    /** Seed 001's pattern: one call per row whose callback collects (i, count); sorted by i once all called back. */
    const collectSorted = async (
      call: (i: number, row: Row, callback: (pair: [number, number]) => void, reject: (e: unknown) => void) => void,
    ) => {
      const collected: [number, number][] = [];
      await new Promise<void>((resolve, reject) => {
        let left = data.length;
        const callback = (pair: [number, number]) => {
          collected.push(pair);
          if (--left === 0) resolve();
        };
        for (let i = 0; i < data.length; i++) call(i, data[i] as Row, callback, reject);
      });
      return collected.sort((a, b) => a[0] - b[0]).map((pair) => pair[1]);
    };

    const sequential: Case[] = [
      onAll('loop', 'loop', () => {
        const out = new Array<number>(data.length);
        for (let i = 0; i < data.length; i++) out[i] = work.howmany(data[i] as Row, 4, 8);
        return out;
      }),
      onSample('loop-sample', 'loop (sample)', () => sample.map((row) => work.howmany(row, 4, 8))),
      // What the applyAsync loops cost the caller with no pool at all: per call an argument tuple, and
      // its callback called (or its promise settled) from a microtask, the count computed right here.
      onAll('callbacks-no-pool', 'applyAsync + callback pattern, no pool', () =>
        collectSorted((i, row, callback) => {
          const args = [i, row, 4, 8] as const;
          queueMicrotask(() => callback(work.howmanyIndexed(...args)));
        }),
      ),
      onAll('promises-no-pool', 'applyAsync + get() pattern, no pool', () =>
        Promise.all(
          data.map((row) => {
            const args = [row, 4, 8] as const;
            return new Promise<number>((resolve) => queueMicrotask(() => resolve(work.howmany(...args))));
          }),
        ),
      ),
    ];

    return {
      sequential,
      forPool({ pool }) {
        const p = pool!;
        const args = () => data.map((row) => [row, 4, 8] as [Row, number, number]);
        return [
          onSample('apply-loop-sample', 'apply in a loop (sample)', async () => {
            const out: number[] = [];
            for (const row of sample) out.push(await p.apply(tasks.howmany, [row, 4, 8]));
            return out;
          }),
          onSample('map-chunksize-1-sample', 'map, chunksize 1 (sample)', () =>
            p.map(tasks.howmanyRow, sample, { chunksize: 1 }),
          ),
          // Seed 001: a callback collects (i, count), the caller waits until every call has
          // called back (Python: close() + join()), then sorts by i.
          onAll('apply-async-callback', 'applyAsync + callback, sort', () =>
            collectSorted((i, row, callback, reject) =>
              p.applyAsync(tasks.howmanyIndexed, [i, row, 4, 8], { callback, errorCallback: reject }),
            ),
          ),
          onAll('apply-async-get', 'applyAsync + get()', () =>
            Promise.all(data.map((row) => p.applyAsync(tasks.howmany, [row, 4, 8]).get())),
          ),
          onAll('map', 'map', () => p.map(tasks.howmanyRow, data), { limit: 'map' }),
          onAll('starmap', 'starmap', () => p.starmap(tasks.howmany, args()), { limit: 'starmap' }),
          onAll('map-async', 'mapAsync', () => p.mapAsync(tasks.howmanyRow, data).get(), { limit: 'map' }),
          onAll('starmap-async', 'starmapAsync', () => p.starmapAsync(tasks.howmany, args()).get(), {
            limit: 'starmap',
          }),
          onAll('imap', `imap (chunksize ${sizes.imapChunksize})`, () =>
            toArray(p.imap(tasks.howmanyRow, data, imapOptions)),
          ),
          {
            ...onAll('imap-unordered', `imapUnordered (chunksize ${sizes.imapChunksize})`, () =>
              toArray(p.imapUnordered(tasks.howmanyRow, data, imapOptions)),
            ),
            verify: (value) => compareAsMultiset(value, expected),
          },
          onAll('imap-auto', "imap (chunksize 'auto')", () =>
            toArray(p.imap(tasks.howmanyRow, data, { chunksize: 'auto' })),
          ),
          onSample('imap-1-sample', 'imap (chunksize 1, sample)', () => toArray(p.imap(tasks.howmanyRow, sample))),
          onSample('imap-auto-sample', "imap (chunksize 'auto', sample)", () =>
            toArray(p.imap(tasks.howmanyRow, sample, { chunksize: 'auto' })),
          ),
        ];
      },
      limitCases: 2,
      async forLimit(processes) {
        const workers = await startThreads(processes);
        const chunks = Math.ceil(data.length / chunksize);
        const bounds = (i: number) => [i * chunksize, Math.min(data.length, (i + 1) * chunksize)] as const;
        return {
          cases: [
            {
              method: 'map',
              label: 'map: rows packed per chunk, transferred',
              items: data.length,
              run: () =>
                timed(async () => {
                  const out = new Array<number>(data.length);
                  await spread<Float64Array>(
                    workers.channels,
                    chunks,
                    (i) => {
                      const rows = packRows(data, ...bounds(i), 5);
                      return {
                        message: { op: 'howmany', rows, width: 5, minimum: 4, maximum: 8 },
                        transfer: [rows.buffer],
                      };
                    },
                    (i, counts) => unpackInto(out, i * chunksize, counts),
                  );
                  return out;
                }),
              verify: same,
            },
            {
              method: 'starmap',
              label: 'starmap: argument columns packed per chunk, transferred',
              items: data.length,
              run: () =>
                timed(async () => {
                  const args = data.map((row) => [row, 4, 8] as [Row, number, number]);
                  const out = new Array<number>(args.length);
                  await spread<Float64Array>(
                    workers.channels,
                    chunks,
                    (i) => {
                      const rows = packRowsOf(args, 0, ...bounds(i), 5);
                      const minimums = packColumn(args, 1, ...bounds(i));
                      const maximums = packColumn(args, 2, ...bounds(i));
                      return {
                        message: { op: 'howmany-args', rows, width: 5, minimums, maximums },
                        transfer: [rows.buffer, minimums.buffer, maximums.buffer],
                      };
                    },
                    (i, counts) => unpackInto(out, i * chunksize, counts),
                  );
                  return out;
                }),
              verify: same,
            },
          ],
          stop: () => workers.stop(),
        };
      },
      forRaw({ pool }) {
        const raw = pool!;
        return [
          onSample('per-item-sample', 'per item (sample)', () => raw.map('howmanyRow', sample, 'item')),
          onAll(
            'per-chunk',
            `per chunk (chunksize ${chunksize}, as map)`,
            () => raw.map('howmanyRow', data, chunksize),
            {
              limit: 'map',
            },
          ),
        ];
      },
      python: python
        ? {
            config: {
              rows: await writeFloat64(scratch, 'howmany-rows', data.flat()),
              columns: 5,
              sample: sample.length,
              imapChunksize: sizes.imapChunksize,
            },
            expected: {
              loop: digest(expected),
              'loop-sample': digest(expectedSample),
              'apply-loop-sample': digest(expectedSample),
              'map-chunksize-1-sample': digest(expectedSample),
              'apply-async-callback': digest(expected),
              'apply-async-get': digest(expected),
              map: digest(expected),
              starmap: digest(expected),
              'map-async': digest(expected),
              'starmap-async': digest(expected),
              imap: digest(expected),
              'imap-unordered': digest(Float64Array.from(expected).sort()),
            },
          }
        : undefined,
    };
  },
};
