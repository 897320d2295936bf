/**
 * Worker file for raw piscina and raw tinypool (no parapool): one named export
 * per function, called with `pool.run(arg, { name })` as their docs show. The
 * `…Chunk` exports take a hand-made chunk of items.
 */
import { fetchValue, howmanyRow, overChunk, sortPart, spin, square, sumArray } from '../work.js';

export { fetchValue, howmanyRow, sortPart, spin, square, sumArray };
export const howmanyRowChunk = overChunk(howmanyRow);
export const squareChunk = overChunk(square);
export const spinChunk = overChunk(spin);
export const sortPartChunk = overChunk(sortPart);
export const fetchValueChunk = overChunk(fetchValue);
