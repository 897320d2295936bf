/**
 * Python's `multiprocessing.shared_memory`, the parapool way: a SharedArrayBuffer
 * that every worker thread reads and writes in place, `Atomics` to add to it
 * from several workers at once, and `transfer()` to move a buffer to a worker
 * and back without copying it.
 *
 * Thread backends share the data and the bins (nothing is copied). Worker
 * processes cannot share memory: each task then gets a copy of its range and
 * sends its counts back, and transfer() degrades to a copy.
 *
 *   pnpm --filter @parapool/examples shared-memory -- --backend piscina [--size 1000000]
 */
import { transfer } from '@parapool/core';
import { checksum, exampleArgs, report } from '../cli.js';
import { makeData } from './data.js';
import { BINS, tasks } from './tasks.js';

const { createPool, backend, options } = await exampleArgs({ size: 1_000_000, parts: 8 });

await using pool = createPool();
const shares = !pool.capabilities.separateProcesses;
const data = makeData(options.size, shares);
const step = Math.ceil(options.size / options.parts);
const ranges = Array.from({ length: options.parts }, (_, p) => [p * step, Math.min(options.size, (p + 1) * step)]);

let bins: number[];
if (shares) {
  console.log(`${backend}: the data and the bins are shared memory, nothing is copied`);
  const shared = new Int32Array(new SharedArrayBuffer(BINS * Int32Array.BYTES_PER_ELEMENT));
  await pool.starmap(
    tasks.countIntoShared,
    ranges.map(
      ([start, end]) => [data, shared, start as number, end as number] as [Float64Array, Int32Array, number, number],
    ),
  );
  bins = Array.from(shared);
} else {
  console.log(`${backend}: separate processes share no memory, each task gets a copy of its range`);
  const counts = await pool.map(
    tasks.countCopy,
    ranges.map(([start, end]) => data.slice(start, end)),
    { chunksize: 1 },
  );
  bins = Array.from({ length: BINS }, (_, b) => counts.reduce((sum, local) => sum + (local[b] as number), 0));
}
report('bins', bins);

// transfer(): the copy is moved to a worker, scaled there, and moved back; `copy` is detached afterwards.
const copy = data.slice(0, Math.min(options.size, 100_000));
const scaled = await pool.apply(tasks.scaleInPlace, [transfer(copy), 2]);
console.log(
  pool.capabilities.transfers
    ? `transfer(): moved to a worker and back (the caller's copy is now detached: byteLength ${copy.byteLength})`
    : `transfer(): ${backend} cannot move memory, so it was copied (the caller keeps its copy)`,
);
report('scaled', { length: scaled.length, first: Array.from(scaled.subarray(0, 3)), checksum: checksum(scaled) });
report('moved', { detached: copy.byteLength === 0 });
