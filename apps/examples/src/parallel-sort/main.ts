/**
 * Seed 002: sort a large array by sorting parts in parallel, then merging.
 *
 *   pnpm --filter @parapool/examples parallel-sort -- --backend piscina [--size 1000000]
 */
import { formatInsights } from '@parapool/core';
import { checksum, exampleArgs, report } from '../cli.js';
import { makeData } from './data.js';
import { tasks } from './tasks.js';

const { createPool, backend, options, insights } = await exampleArgs({ size: 1_000_000, parts: 4 });

const data = makeData(options.size);

/** Merges two sorted arrays into one sorted array. */
function merge(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  out.set(a.subarray(i), k);
  out.set(b.subarray(j), k + a.length - i);
  return out;
}

await using pool = createPool({ processes: options.parts });
const size = Math.ceil(data.length / options.parts);
// slice() copies each part, so a worker gets only its own part.
const parts = Array.from({ length: options.parts }, (_, p) => data.slice(p * size, (p + 1) * size));
const sortedParts = await pool.map(tasks.sortPart, parts, { chunksize: 1, progress: { label: 'sorting parts' } });
const sorted = sortedParts.reduce(merge, new Int32Array(0));
console.log(`${data.length} numbers sorted in ${parts.length} parts on ${backend}`);
report('sorted', { length: sorted.length, first: Array.from(sorted.subarray(0, 5)), checksum: checksum(sorted) });
if (insights) console.error(formatInsights(pool.insights()));
