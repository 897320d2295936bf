import { rejectionOf, tasks, useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import { createPool, type TinypoolPoolOptions, WorkerCrashedError } from '../dist/index.js';

const { pool } = useTestPools((options: TinypoolPoolOptions) => createPool(options), 'tinypool');

describe('options', () => {
  it('passes tinypool options through to every worker', async () => {
    const p = pool({ processes: 2, tinypool: { env: { PARAPOOL_PROBE: 'through' } } });
    const seen = await p.map((_: number) => process.env.PARAPOOL_PROBE, [1, 2, 3, 4], { chunksize: 1 });
    expect(seen).toEqual(['through', 'through', 'through', 'through']);
  });

  it('refuses the tinypool options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ tinypool: { maxThreads: 4 } as never })).toThrow(/processes/);
    expect(() => createPool({ tinypool: { isolateWorkers: true } as never })).toThrow(/maxtasksperchild: 1/);
    expect(() => createPool({ tinypool: { maxMemoryLimitBeforeRecycle: 1e8 } as never })).toThrow(/resourceLimits/);
  });
});

describe('worker_threads', () => {
  it('a thread over its resourceLimits fails its job with WorkerCrashedError; the pool keeps serving', async () => {
    const p = pool({ processes: 1, tinypool: { resourceLimits: { maxOldGenerationSizeMb: 16 } } });
    const hog = () => {
      const kept: number[][] = [];
      for (;;) kept.push(new Array(100_000).fill(1));
    };
    const error = await rejectionOf(p.apply(hog));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toMatch(/memory/);
    expect(await p.apply(tasks.square, [4])).toBe(16);
  });
});

describe("runtime: 'child_process'", () => {
  const child = { runtime: 'child_process' } as const;

  it('runs each worker in its own process, with the parent environment', async () => {
    const p = pool({ processes: 2, tinypool: child });
    expect(p.capabilities.separateProcesses).toBe(true);
    const pids = await p.map((_: number) => process.pid, [1, 2], { chunksize: 1 });
    expect(pids).not.toContain(process.pid);
    expect(await p.apply(() => process.env.PATH)).toBe(process.env.PATH);
  });

  it('values that JSON would lose survive the trip (advanced serialization)', async () => {
    const p = pool({ processes: 1, tinypool: child });
    const value = { map: new Map([[1, 'a']]), set: new Set([2]), date: new Date(0), big: 10n, none: undefined };
    expect(await p.apply(tasks.identity, [value])).toEqual(value);
  });

  it('terminate() ends the worker processes', async () => {
    const p = pool({ processes: 1, tinypool: child });
    const pid = await p.apply(() => process.pid);
    await p.terminate();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
