/**
 * An upgrade in progress: the caller on this Node (24 in CI), one host on
 * Node 22, one on Node 26 — real host processes of those runtimes, installed
 * from the npm registry. Chunks and results are written with each side's V8
 * serializer; values must arrive as they left, whichever way they cross.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../dist/index.js';
import { FAST_RECOVERY, type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { nodeBinary } from './support/runtimes.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const root = faultRoot('node-versions');
afterAll(() => removeRoot(root));

/** Values the structured-clone format carries beyond JSON. */
const values = [
  new Map<string, unknown>([
    ['a', 1],
    ['b', [2, 3]],
  ]),
  new Set(['x', 'y']),
  new Date(Date.UTC(2026, 11, 7)),
  2n ** 70n,
  -0,
  Number.NaN,
  Float64Array.from([1.5, -2.25, 1e300]),
  { nested: { deep: [null, undefined, 'text'] } },
];

describe('a caller and hosts on different Node majors', () => {
  for (const major of [22, 26]) {
    it(`a host on Node ${major} serves a caller on Node ${process.versions.node.split('.')[0]}: every value arrives as it left`, async () => {
      const node = nodeBinary(major);
      const queue = `node-versions-${major}-${process.pid}`;
      let host: HostProcess | undefined;
      try {
        host = await startHost({
          redis,
          queue,
          root,
          concurrency: 1,
          args: FAST_RECOVERY,
          wrap: (_node, args) => [node, [...args]],
        });
        await using pool = createPool({ connection: redis, queue, root: CALLER_ROOT });
        const out = await pool.map(faultTasks.withNodeVersion, values, { chunksize: 1 });
        expect(out.map((o) => o.value)).toEqual(values);
        expect(Object.is(out[4]?.value, -0)).toBe(true);
        expect(new Set(out.map((o) => o.node.split('.')[0]))).toEqual(new Set([String(major)]));
      } finally {
        await host?.stop();
      }
    });
  }

  it('hosts on Node 22 and Node 26 at once serve one map of this caller', async () => {
    const queue = `node-versions-mixed-${process.pid}`;
    const started: HostProcess[] = [];
    try {
      for (const major of [22, 26]) {
        const node = nodeBinary(major);
        started.push(
          await startHost({
            redis,
            queue,
            root,
            concurrency: 1,
            args: FAST_RECOVERY,
            wrap: (_n, args) => [node, [...args]],
          }),
        );
      }
      await using pool = createPool({ connection: redis, queue, root: CALLER_ROOT });
      const items = Array.from({ length: 24 }, (_, i) => values[i % values.length]);
      const out = await pool.map(faultTasks.withNodeVersion, items, { chunksize: 1 });
      expect(out.map((o) => o.value)).toEqual(items);
      for (const o of out) expect(['22', '26']).toContain(o.node.split('.')[0]);
    } finally {
      await Promise.all(started.map((h) => h.stop()));
    }
  });
});
