/**
 * Worker file for raw workerpool (no parapool): `workerpool.worker({ ... })`,
 * called with `pool.exec(name, [arg])` as its README shows. The `…Chunk`
 * functions take a hand-made chunk of items.
 */
import workerpool from 'workerpool';
import { fetchValue, howmanyRow, overChunk, sortPart, spin, square, sumArray } from '../work.js';

workerpool.worker({
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
