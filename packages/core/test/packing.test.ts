/**
 * How a chunk travels (wire/packing.ts): numbers, rows of numbers and spread
 * argument lists are packed into Float64Arrays only when every value crosses
 * exactly; anything else travels as a copy of the range, holes included.
 */
import { describe, expect, it } from 'vitest';
import { jobLength, type PackedChunk, packChunk, packColumns, packRows, unpackJob } from '../src/wire/packing.js';

const awkward = [-0, 0, Number.NaN, 0.1, -1.5, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, 2 ** 53 + 2];

/** `count` numbers cycling through the awkward ones. */
function numbers(count: number): number[] {
  return Array.from({ length: count }, (_, i) => awkward[i % awkward.length] as number);
}

/** `count` rows of `width` numbers. */
function rows(count: number, width: number): number[][] {
  return Array.from({ length: count }, (_, i) => numbers(width).map((x, j) => (j === 0 ? i : x)));
}

/** The chunk's items as the worker reads them (rows and columns made arrays again). */
function received(chunk: PackedChunk): unknown[] {
  const job = unpackJob({ task: { kind: 'inline', source: '' }, ...chunk });
  if (job.columns) {
    const columns = job.columns;
    return Array.from({ length: jobLength({ task: job.task, ...chunk }) }, (_, i) => columns.map((c) => c[i]));
  }
  return Array.from(job.items as ArrayLike<unknown>);
}

describe('packChunk', () => {
  it('sends a range of numbers as a Float64Array, every number exact (-0, NaN, fractions, infinities)', () => {
    const items = [...numbers(10), ...numbers(200), ...numbers(10)];
    const chunk = packChunk(items, 10, 210, false);
    expect(chunk.items).toBeInstanceOf(Float64Array);
    expect(received(chunk)).toEqual(items.slice(10, 210));
    expect(Object.is((chunk.items as Float64Array)[0], -0)).toBe(true);
  });

  it('sends numbers with anything else among them (a string, a hole) as a copy of the range, holes kept', () => {
    const withString: unknown[] = numbers(100);
    withString[70] = '7';
    const string = packChunk(withString, 0, 100, false);
    expect(Array.isArray(string.items)).toBe(true);
    expect(string.items).toEqual(withString);
    expect(string.items).not.toBe(withString);

    const holey: unknown[] = numbers(100);
    delete holey[50];
    const hole = packChunk(holey, 0, 100, false);
    expect(Array.isArray(hole.items)).toBe(true);
    expect(hole.items).toHaveLength(100);
    expect(50 in hole.items).toBe(false);
  });

  it('sends rows of numbers of one width as a matrix, and rows that differ (width, a hole, a string) as they are', () => {
    const items = rows(100, 5);
    const chunk = packChunk(items, 20, 80, false);
    expect(chunk.rowWidth).toBe(5);
    expect(chunk.items).toBeInstanceOf(Float64Array);
    expect(received(chunk)).toEqual(items.slice(20, 80));

    const wider = rows(100, 5);
    wider[99] = [1, 2, 3, 4, 5, 6];
    const holeInRow = rows(100, 5);
    delete (holeInRow[40] as number[])[2];
    const stringInRow: unknown[][] = rows(100, 5);
    (stringInRow[3] as unknown[])[4] = 'x';
    for (const bad of [wider, holeInRow, stringInRow] as unknown[][]) {
      const plain = packChunk(bad, 0, 100, false);
      expect(plain.rowWidth).toBeUndefined();
      expect(plain.items).toEqual(bad);
    }
    expect(2 in ((packChunk(holeInRow, 0, 100, false).items as unknown[][])[40] as unknown[])).toBe(false);
  });

  it('sends spread argument lists as columns: rows as a matrix, numbers packed, anything else as it is', () => {
    const args: unknown[][] = rows(300, 5).map((row, i) => [row, i % 7, i % 2 === 0 ? 'even' : { odd: i }]);
    const chunk = packChunk(args, 50, 250, true);
    expect(chunk.items).toHaveLength(0);
    expect(chunk.columns?.[0]).toBeInstanceOf(Float64Array);
    expect(chunk.columns?.[1]).toBeInstanceOf(Float64Array);
    expect(Array.isArray(chunk.columns?.[2])).toBe(true);
    expect(chunk.columnRowWidths).toEqual([5, 0, 0]);
    expect(received(chunk)).toEqual(args.slice(50, 250));
  });

  it('sends argument lists of different lengths as a copy of the range', () => {
    const args: unknown[][] = Array.from({ length: 100 }, (_, i) => [i, i]);
    args[60] = [60];
    const chunk = packChunk(args, 0, 100, true);
    expect(chunk.columns).toBeUndefined();
    expect(chunk.items).toEqual(args);
  });

  it('copies the range unless it is handed a chunk of its own whole', () => {
    const items: unknown[] = ['a', 'b', 'c'];
    expect(packChunk(items, 0, 3, false).items).not.toBe(items);
    expect(packChunk(items, 0, 3, false, true).items).toBe(items);
    expect(packChunk(items, 1, 3, false, true).items).toEqual(['b', 'c']);
  });

  it('packs every shape exactly whatever it packed before (shapes mixed in one program)', () => {
    // map's rows, starmap's tuples, an applyAsync batch's [i, row, a, b], numbers, mixed: in turns,
    // so each packing loop has seen the others' inputs before it packs its own again.
    const shapes: Array<{ items: unknown[]; spread: boolean }> = [
      { items: rows(500, 5), spread: false },
      { items: rows(500, 5).map((row) => [row, 4, 8]), spread: true },
      { items: rows(500, 3).map((row, i) => [i, row, 4, 8]), spread: true },
      { items: numbers(500), spread: false },
      { items: rows(500, 2).map((row, i) => (i === 250 ? [...row, 1] : row)), spread: false },
      { items: numbers(500).map((x, i) => [x, -x, i]), spread: true },
    ];
    for (let round = 0; round < 30; round++) {
      for (const { items, spread } of shapes) {
        const start = round % 7;
        const end = items.length - (round % 5);
        expect(received(packChunk(items, start, end, spread))).toEqual(items.slice(start, end));
      }
    }
  });
});

describe('packRows and packColumns', () => {
  it('refuse too few rows, empty rows, rows too wide, and argument lists without arguments', () => {
    expect(packRows(rows(15, 5))).toBeUndefined();
    expect(packRows(Array.from({ length: 20 }, () => []))).toBeUndefined();
    expect(packRows(rows(20, 1025))).toBeUndefined();
    expect(packRows(rows(20, 1024))?.width).toBe(1024);
    expect(packColumns(Array.from({ length: 20 }, () => []))).toBeUndefined();
    expect(packColumns(Array.from({ length: 15 }, (_, i) => [i]))).toBeUndefined();
  });
});
