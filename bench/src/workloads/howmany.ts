import { randomFor } from '../inputs.js';
import { spread } from '../limit/channel.js';
import { packColumn, packRows, packRowsOf, unpackInto } from '../limit/packing.js';
import { startThreads } from '../limit/workers.js';
import { tasks } from '../tasks.js';
import { compareAsMultiset, compareNumbers, digest } from '../verify.js';
import { howmany } from '../work.js';
import { referenceWork } from '../work-reference.js';
import { type Case, timed, type Workload } from '../workload.js';
import { writeFloat64 } from './python-inputs.js';

type Row = number[];

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

    const sequential: Case[] = [
      {
        method: 'loop',
        label: 'loop',
        items: data.length,
        run: () =>
          timed(() => {
            const out = new Array<number>(data.length);
            for (let i = 0; i < data.length; i++) out[i] = work.howmany(data[i] as Row, 4, 8);
            return out;
          }),
        verify: same,
      },
      {
        method: 'loop-sample',
        label: 'loop (sample)',
        items: sample.length,
        run: () => timed(() => sample.map((row) => work.howmany(row, 4, 8))),
        verify: sameSample,
      },
      {
        // What the applyAsync-with-callback loop costs the caller with no pool at all: per call an
        // argument tuple, and its callback called from a microtask (the count computed right here).
        method: 'callbacks-no-pool',
        label: 'applyAsync + callback pattern, no pool',
        items: data.length,
        run: () =>
          timed(async () => {
            const collected: [number, number][] = [];
            await new Promise<void>((resolve) => {
              let left = data.length;
              const callback = (pair: [number, number]) => {
                collected.push(pair);
                if (--left === 0) resolve();
              };
              for (let i = 0; i < data.length; i++) {
                const args = [i, data[i] as Row, 4, 8] as const;
                queueMicrotask(() => callback(work.howmanyIndexed(...args)));
              }
            });
            collected.sort((a, b) => a[0] - b[0]);
            return collected.map((pair) => pair[1]);
          }),
        verify: same,
      },
      {
        // Likewise for applyAsync + get(): per call an argument tuple and a promise settled from a
        // microtask, then Promise.all over them.
        method: 'promises-no-pool',
        label: 'applyAsync + get() pattern, no pool',
        items: data.length,
        run: () =>
          timed(() => {
            const pending = data.map((row) => {
              const args = [row, 4, 8] as const;
              return new Promise<number>((resolve) => queueMicrotask(() => resolve(work.howmany(...args))));
            });
            return Promise.all(pending);
          }),
        verify: same,
      },
    ];

    return {
      sequential,
      forPool({ pool }) {
        const p = pool!;
        return [
          {
            method: 'apply-loop-sample',
            label: 'apply in a loop (sample)',
            items: sample.length,
            baseline: 'loop-sample',
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for (const row of sample) out.push(await p.apply(tasks.howmany, [row, 4, 8]));
                return out;
              }),
            verify: sameSample,
          },
          {
            method: 'map-chunksize-1-sample',
            label: 'map, chunksize 1 (sample)',
            items: sample.length,
            baseline: 'loop-sample',
            run: () => timed(() => p.map(tasks.howmanyRow, sample, { chunksize: 1 })),
            verify: sameSample,
          },
          {
            // Seed 001: a callback collects (i, count), the caller waits until every
            // call has called back (Python: close() + join()), then sorts by i.
            method: 'apply-async-callback',
            label: 'applyAsync + callback, sort',
            items: data.length,
            run: () =>
              timed(async () => {
                const collected: [number, number][] = [];
                await new Promise<void>((resolve, reject) => {
                  let left = data.length;
                  const callback = (pair: [number, number]) => {
                    collected.push(pair);
                    if (--left === 0) resolve();
                  };
                  for (let i = 0; i < data.length; i++) {
                    p.applyAsync(tasks.howmanyIndexed, [i, data[i] as Row, 4, 8], { callback, errorCallback: reject });
                  }
                });
                collected.sort((a, b) => a[0] - b[0]);
                return collected.map((pair) => pair[1]);
              }),
            verify: same,
          },
          {
            method: 'apply-async-get',
            label: 'applyAsync + get()',
            items: data.length,
            run: () =>
              timed(() => {
                const pending = data.map((row) => p.applyAsync(tasks.howmany, [row, 4, 8]));
                return Promise.all(pending.map((result) => result.get()));
              }),
            verify: same,
          },
          {
            method: 'map',
            label: 'map',
            limit: 'map',
            items: data.length,
            run: () => timed(() => p.map(tasks.howmanyRow, data)),
            verify: same,
          },
          {
            method: 'starmap',
            label: 'starmap',
            limit: 'starmap',
            items: data.length,
            run: () =>
              timed(() =>
                p.starmap(
                  tasks.howmany,
                  data.map((row) => [row, 4, 8] as [Row, number, number]),
                ),
              ),
            verify: same,
          },
          {
            method: 'map-async',
            label: 'mapAsync',
            limit: 'map',
            items: data.length,
            run: () => timed(() => p.mapAsync(tasks.howmanyRow, data).get()),
            verify: same,
          },
          {
            method: 'starmap-async',
            label: 'starmapAsync',
            limit: 'starmap',
            items: data.length,
            run: () =>
              timed(() =>
                p
                  .starmapAsync(
                    tasks.howmany,
                    data.map((row) => [row, 4, 8] as [Row, number, number]),
                  )
                  .get(),
              ),
            verify: same,
          },
          {
            method: 'imap',
            label: `imap (chunksize ${sizes.imapChunksize})`,
            items: data.length,
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for await (const count of p.imap(tasks.howmanyRow, data, imapOptions)) out.push(count);
                return out;
              }),
            verify: same,
          },
          {
            method: 'imap-unordered',
            label: `imapUnordered (chunksize ${sizes.imapChunksize})`,
            items: data.length,
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for await (const count of p.imapUnordered(tasks.howmanyRow, data, imapOptions)) out.push(count);
                return out;
              }),
            verify: (value) => compareAsMultiset(value, expected),
          },
          {
            method: 'imap-auto',
            label: "imap (chunksize 'auto')",
            items: data.length,
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for await (const count of p.imap(tasks.howmanyRow, data, { chunksize: 'auto' })) out.push(count);
                return out;
              }),
            verify: same,
          },
          {
            method: 'imap-1-sample',
            label: 'imap (chunksize 1, sample)',
            items: sample.length,
            baseline: 'loop-sample',
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for await (const count of p.imap(tasks.howmanyRow, sample)) out.push(count);
                return out;
              }),
            verify: sameSample,
          },
          {
            method: 'imap-auto-sample',
            label: "imap (chunksize 'auto', sample)",
            items: sample.length,
            baseline: 'loop-sample',
            run: () =>
              timed(async () => {
                const out: number[] = [];
                for await (const count of p.imap(tasks.howmanyRow, sample, { chunksize: 'auto' })) out.push(count);
                return out;
              }),
            verify: sameSample,
          },
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
          {
            method: 'per-item-sample',
            label: 'per item (sample)',
            items: sample.length,
            baseline: 'loop-sample',
            run: () => timed(() => raw.map('howmanyRow', sample, 'item')),
            verify: sameSample,
          },
          {
            method: 'per-chunk',
            label: `per chunk (chunksize ${chunksize}, as map)`,
            limit: 'map',
            items: data.length,
            run: () => timed(() => raw.map('howmanyRow', data, chunksize)),
            verify: same,
          },
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
