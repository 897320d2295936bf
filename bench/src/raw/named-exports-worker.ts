/**
 * Worker file for raw piscina and raw tinypool (no parapool): one named export
 * per function, called with `pool.run(arg, { name })` as their docs show. The
 * `…Chunk` exports take a hand-made chunk of items.
 */
import { rawWorkerFunctions } from '../work.js';

export const {
  howmanyRow,
  square,
  spin,
  sortPart,
  sumArray,
  fetchValue,
  howmanyRowChunk,
  squareChunk,
  spinChunk,
  sortPartChunk,
  fetchValueChunk,
} = rawWorkerFunctions;
