/**
 * Worker file for raw threads.js (no parapool): `expose` an object of
 * functions, called with `pool.queue((worker) => worker.name(arg))`. The
 * `…Chunk` functions take a hand-made chunk of items.
 */
import { expose } from 'threads/worker';
import { fetchValue, howmanyRow, overChunk, sortPart, spin, square, sumArray } from '../work.js';

expose({
  howmanyRow,
  square,
  spin,
  sortPart,
  sumArray,
  fetchValue,
  howmanyRowChunk: overChunk(howmanyRow),
  squareChunk: overChunk(square),
  spinChunk: overChunk(spin),
  sortPartChunk: overChunk(sortPart),
  fetchValueChunk: overChunk(fetchValue),
});
