/**
 * The limit column's bare workers compute what the tasks compute. Uses the
 * built files (dist/): a worker thread runs JavaScript.
 */
import { describe, expect, it } from 'vitest';
import { spread } from '../src/limit/channel.js';
import { packColumn, packNumbers, packRows, packRowsOf, unpackInto } from '../src/limit/packing.js';
import { howmany, howmanyPacked, howmanyPackedArgs } from '../src/work.js';

// The built module: its worker files are JavaScript next to it.
const built = '../dist/limit/workers.js';
const { startForks, startThreads } = (await import(built)) as typeof import('../src/limit/workers.js');

const rows = [
  [1, 4, 8, 9, 5],
  [0, 0, 0, 0, 0],
  [4, 5, 6, 7, 8],
];

describe('the limit', () => {
  it('counts packed rows as howmany counts arrays', () => {
    const expected = rows.map((r) => howmany(r, 4, 8));
    expect([...howmanyPacked(packRows(rows, 0, 3, 5), 5, 4, 8)]).toEqual(expected);
    const args = rows.map((r) => [r, 4, 8] as const);
    const counts = howmanyPackedArgs(
      packRowsOf(args, 0, 0, 3, 5),
      5,
      packColumn(args, 1, 0, 3),
      packColumn(args, 2, 0, 3),
    );
    expect([...counts]).toEqual(expected);
  });

  it('moves chunks to bare worker threads and back, results in order', async () => {
    const workers = await startThreads(2);
    try {
      const xs = Array.from({ length: 1000 }, (_, i) => i);
      const out = new Array<number>(xs.length);
      await spread<Float64Array>(
        workers.channels,
        10,
        (i) => {
          const chunk = packNumbers(xs, i * 100, (i + 1) * 100);
          return { message: { op: 'square', xs: chunk }, transfer: [chunk.buffer] };
        },
        (i, squares) => unpackInto(out, i * 100, squares),
      );
      expect(out).toEqual(xs.map((x) => x * x));
      expect(await workers.channels[0]!.call(7)).toBe(49);
    } finally {
      await workers.stop();
    }
  });

  it('echoes through a bare fork child', async () => {
    const forks = await startForks(1);
    try {
      expect(await forks.channels[0]!.call(12)).toBe(144);
    } finally {
      await forks.stop();
    }
  });
});
