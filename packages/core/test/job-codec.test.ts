import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backends/backend.js';
import { InlineBackend } from '../src/backends/inline.js';
import { BasePool } from '../src/pool/base-pool.js';
import { toTaskRef } from '../src/tasks.js';
import type { Job, JobResult } from '../src/wire/job.js';
import { decodeResult, encodeJob } from '../src/wire/job-codec.js';
import { WorkerRuntime } from '../src/worker/runtime.js';
import { geometry, Loose, Point } from './fixtures/geometry.js';

/** A job as it crosses: encoded by the caller, cloned, run by a worker, cloned back, decoded. */
async function across(job: Job, runtime = new WorkerRuntime()): Promise<JobResult> {
  const result = await runtime.runJob(structuredClone(encodeJob(job)));
  return decodeResult(structuredClone(result));
}

const call = (task: unknown, ...args: unknown[]): Job => ({ task: toTaskRef(task), items: [args], spread: true });

describe('registered classes in arguments and results', () => {
  it('an instance passed as an argument arrives as an instance, and one returned arrives as one', async () => {
    const result = await across(call(geometry.scale, new Point(3, 4), 2));
    expect(result.failures).toBeUndefined();
    const [scaled] = result.values as Point[];
    expect(scaled).toBeInstanceOf(Point);
    expect(scaled?.norm()).toBe(10);
  });

  it('finds instances in arrays, maps, sets and objects, and keeps shared references and cycles', async () => {
    const first = new Point(1, 1);
    const value: Record<string, unknown> = {
      points: [first, new Point(2, 2)],
      byName: new Map([['first', first]]),
      set: new Set([first]),
    };
    value.self = value;
    const result = await across(call(geometry.inspect, value));
    expect(result.values).toEqual([
      { points: [true, true], mapped: true, set: true, shared: true, cyclic: true, loose: false },
    ]);
  });

  it('leaves instances of unregistered classes to structured clone (their fields, as a plain object)', async () => {
    const result = await across(call(geometry.echo, new Loose(21)));
    const [back] = result.values as unknown[];
    expect(back).not.toBeInstanceOf(Loose);
    expect(back).toEqual({ value: 21 });
  });

  it('keeps plain objects that use the marker key as they are', async () => {
    const odd = { '@parapool': 'class', name: 'GeometryPoint', data: { x: 1, y: 2 } };
    const result = await across(call(geometry.echo, odd));
    expect(result.values).toEqual([odd]);
  });

  it('brings errors returned as values back as errors of their class, with their properties', async () => {
    const result = await across({
      task: { kind: 'inline', source: String(() => Object.assign(new RangeError('as a value'), { code: 'E_VALUE' })) },
      items: [0],
      spread: false,
    });
    const [error] = result.values as Error[];
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: 'as a value', code: 'E_VALUE' });
  });

  it('lets inline functions call methods of the instances they get', async () => {
    const result = await across({
      task: { kind: 'inline', source: String((p: Point) => p.norm()) },
      items: [new Point(6, 8)],
      spread: false,
    });
    expect(result.values).toEqual([10]);
  });

  it('a worker that does not know a class of the arguments yet imports the module that registers it', async () => {
    const module = new URL('./fixtures/late-classes.js', import.meta.url).href;
    // What a caller that imported late-classes.js would send with an inline task.
    const job = {
      task: { kind: 'inline' as const, source: String((thing: { double(): number }) => thing.double()) },
      items: [{ '@parapool': 'class', name: 'LateThing', data: { value: 21 } }],
      spread: false,
      codec: { marked: true, classes: { LateThing: module } },
    };
    const result = await new WorkerRuntime().runJob(job);
    expect(result.failures).toBeUndefined();
    expect(result.values).toEqual([42]);
  });

  it('a worker leaves results alone for a caller that does not decode them', async () => {
    const p = new Point(1, 2);
    const result = await new WorkerRuntime().runJob(call(geometry.echo, p));
    expect((result.values as unknown[])[0]).toBe(p);
  });

  // The wrapper does what the pool's dispatcher does around backend.run() (encoding twice is a no-op).
  it('through a pool whose backend is wrapped by the codec, every kind of call keeps classes', async () => {
    const withCodec = (backend: Backend): Backend => ({
      name: backend.name,
      size: backend.size,
      capabilities: backend.capabilities,
      run: async (job, signal) => decodeResult(await backend.run(encodeJob(job), signal)),
      close: () => backend.close(),
      terminate: () => backend.terminate(),
    });
    const pool = new BasePool({ processes: 2 }, (options) => withCodec(new InlineBackend(options)));
    try {
      const one = await pool.apply(geometry.scale, [new Point(3, 4), 2]);
      expect(one).toBeInstanceOf(Point);
      const many = await pool.starmap(
        geometry.scale,
        Array.from({ length: 40 }, (_, i) => [new Point(i, 0), 1] as [Point, number]),
      );
      expect(many.every((p) => p instanceof Point)).toBe(true);
      expect(many.map((p) => p.norm())).toEqual(Array.from({ length: 40 }, (_, i) => i));
      const batched = Array.from({ length: 20 }, (_, i) => pool.applyAsync(geometry.scale, [new Point(0, i), 3]));
      const results = await Promise.all(batched.map((r) => r.get()));
      expect(results.map((p) => p.norm())).toEqual(Array.from({ length: 20 }, (_, i) => 3 * i));
    } finally {
      await pool.terminate();
    }
  });
});
