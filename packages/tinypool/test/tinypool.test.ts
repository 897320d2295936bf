import { tasks, useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import { createPool, type TinypoolPoolOptions } from '../dist/index.js';

const { pool } = useTestPools((options: TinypoolPoolOptions) => createPool(options), 'tinypool');

describe('options', () => {
  it('refuses the tinypool options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ tinypool: { maxThreads: 4 } as never })).toThrow(/processes/);
    expect(() => createPool({ tinypool: { isolateWorkers: true } as never })).toThrow(/maxtasksperchild: 1/);
    expect(() => createPool({ tinypool: { maxMemoryLimitBeforeRecycle: 1e8 } as never })).toThrow(/resourceLimits/);
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
