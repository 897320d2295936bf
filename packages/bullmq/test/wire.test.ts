/** Values cross machines as they cross threads, and chunks are bounded by bytes as well as items. */
import { rejectionOf } from '@parapool/conformance';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BullmqPool, CloneError, createPool } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
let host: HostProcess;
let root: string;
const pools: BullmqPool[] = [];
const pool = (options: { maxChunkBytes?: number } = {}) => {
  const created = createPool({ connection: redis, queue: 'wire', root: CALLER_ROOT, processes: 2, ...options });
  pools.push(created);
  return created;
};

beforeAll(async () => {
  root = faultRoot('wire');
  host = await startHost({ redis, queue: 'wire', root, concurrency: 2 });
});
afterAll(async () => {
  await Promise.allSettled(pools.map((p) => p.terminate()));
  await host.stop();
  removeRoot(root);
});

describe('values keep the fidelity of the local backends', () => {
  it('Map, Set, Date, BigInt, RegExp, typed arrays, undefined, -0, NaN and nesting', async () => {
    const values = [
      new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set([1, 'b'])],
      ]),
      new Set([1n, 2n ** 70n]),
      new Date('2024-02-29T12:34:56.789Z'),
      /x+y/gi,
      new Float64Array([1.5, -0, Number.NaN]),
      new Uint8Array([0, 255]),
      [undefined, null, -0, Number.NaN, Number.POSITIVE_INFINITY],
      { nested: { deep: [new Map([['k', new Date(0)]])] } },
    ];
    const out = await pool().map(faultTasks.identity, values, { chunksize: 8 });
    expect(out).toEqual(values);
    expect(out[0]).toBeInstanceOf(Map);
    expect(out[1]).toBeInstanceOf(Set);
    expect([...(out[1] as Set<bigint>)]).toEqual([1n, 2n ** 70n]);
    expect(out[2]).toBeInstanceOf(Date);
    expect(out[4]).toBeInstanceOf(Float64Array);
    expect(Object.is((out[4] as Float64Array)[1], -0)).toBe(true);
    expect(out[5]).toBeInstanceOf(Uint8Array);
    expect(Object.is((out[6] as unknown[])[2], -0)).toBe(true);
    expect(1 in (out[6] as unknown[])).toBe(true);
  });

  it('an Error as a value arrives as an Error with its message', async () => {
    const [out] = await pool().map(faultTasks.identity, [new RangeError('as a value')]);
    expect(out).toBeInstanceOf(Error);
    expect((out as Error).message).toBe('as a value');
  });
});

describe('chunks are bounded by bytes', () => {
  it('a chunk over maxChunkBytes is split into pieces that each fit; results come back whole and in order', async () => {
    const items = Array.from({ length: 40 }, (_, i) => `${i}:${'x'.repeat(500)}`);
    const out = await pool({ maxChunkBytes: 4096 }).map(faultTasks.echoWithStamp, items, { chunksize: 40 });
    expect(out.map(([, value]) => value)).toEqual(items);
    // 40 items of ~500 bytes in pieces of at most 4 KiB: several local jobs, not one.
    expect(new Set(out.map(([stamp]) => stamp)).size).toBeGreaterThanOrEqual(5);
  });

  it('one item over maxChunkBytes fails alone with a CloneError that names it and its size', async () => {
    const items = ['small', 'y'.repeat(10_000), 'small too'];
    const p = pool({ maxChunkBytes: 4096 });
    const error = await rejectionOf(p.map(faultTasks.identity, items, { chunksize: 3 }));
    expect(error).toBeInstanceOf(CloneError);
    expect(error.message).toMatch(/^map item 1: /);
    expect(error.message).toMatch(/MiB once serialized.*maxChunkBytes/);
    expect(await p.map(faultTasks.identity, ['fine'])).toEqual(['fine']);
  });
});
