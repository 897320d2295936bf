import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fullSize as allRunAtOnce, rejectionOf, tasks, until, useTestPools } from '@parapool/conformance';
import { describe, expect, it, vi } from 'vitest';
import {
  CloneError,
  createPool,
  type Pool,
  PoolTerminatedError,
  type TinypoolPoolOptions,
  WorkerCrashedError,
} from '../dist/index.js';

const { pool, tempDir } = useTestPools((options: TinypoolPoolOptions) => createPool(options), 'tinypool');

/** True if `n` workers can run at once: a barrier across all of them passes. */
const fullSize = (target: Pool, n: number) => allRunAtOnce(target, n, join(tempDir(), 'barrier'));

/** Marks `path` then spins forever: only terminating its thread stops it. */
const spin = (path: string): never => {
  (process.getBuiltinModule('node:fs') as typeof import('node:fs')).writeFileSync(path, '');
  for (;;) {}
};

/**
 * Collects what is written to this process's stderr until `restore()`, instead
 * of showing it: tinypool pipes its worker processes' stderr there.
 */
function captureStderr(): { text(): string; restore(): void } {
  let text = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return { text: () => text, restore: () => spy.mockRestore() };
}

type Runtime = 'worker_threads' | 'child_process';
const runtimes: Runtime[] = ['worker_threads', 'child_process'];

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

  it('processes is a fixed number of threads: that many at once, never more', async () => {
    const p = pool({ processes: 3 });
    expect(await fullSize(p, 3)).toBe(true);
    const ids = await p.map(
      tasks.workerId,
      Array.from({ length: 30 }, (_, i) => i),
      { chunksize: 1 },
    );
    expect(new Set(ids).size).toBeLessThanOrEqual(3);
  });
});

describe.each(runtimes)('runtime %s', (runtime) => {
  const options = (extra: TinypoolPoolOptions = {}): TinypoolPoolOptions => ({
    ...extra,
    tinypool: { runtime, ...extra.tinypool },
  });

  it('replaces a worker after maxtasksperchild jobs (tinypool only recycles by memory)', async () => {
    const p = pool(options({ processes: 1, maxtasksperchild: 2 }));
    const stamps = await p.map(tasks.jobStamp, [1, 2, 3, 4, 5, 6], { chunksize: 1 });
    const workers = stamps.map((stamp) => stamp.split('#')[0]);
    expect(new Set(workers).size).toBe(3);
    expect(stamps.map((stamp) => stamp.split('#')[1])).toEqual(['1', '2', '1', '2', '1', '2']);
  });

  it('process.exit() in a task fails its job with the exit code instead of hanging; the pool keeps its size', async () => {
    const p = pool(options({ processes: 2 }));
    const error = await rejectionOf(p.apply(tasks.exit, [5]));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(5);
    expect(await fullSize(p, 2)).toBe(true);
  });

  it('an exception thrown from a timer fails its job with WorkerCrashedError', async () => {
    const p = pool(options({ processes: 1 }));
    // (The suite's task ends a worker process quietly, so nothing is printed to capture.)
    const error = await rejectionOf(p.apply(tasks.throwFromTimer, ['late boom']));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(tasks.square, [3])).toBe(9);
  });

  it('aborting a job stuck in a loop stops its worker: the call rejects and the pool is back to full size', async () => {
    const p = pool(options({ processes: 2 }));
    const started = join(tempDir(), 'started');
    const controller = new AbortController();
    const call = p.apply(spin, [started], { signal: controller.signal });
    await until(() => existsSync(started));
    const reason = new Error('enough');
    controller.abort(reason);
    expect(await rejectionOf(call)).toBe(reason);
    expect(await fullSize(p, 2)).toBe(true);
  });

  it('a result or argument that cannot be cloned rejects with CloneError; the worker lives on', async () => {
    const p = pool(options({ processes: 1 }));
    const before = await p.apply(tasks.workerId);
    expect(await rejectionOf(p.apply(tasks.returnFunction))).toBeInstanceOf(CloneError);
    expect(await rejectionOf(p.apply(tasks.identity, [Symbol('no')]))).toBeInstanceOf(CloneError);
    expect(await p.apply(tasks.workerId)).toBe(before);
  });

  it('terminate() rejects running and queued jobs with PoolTerminatedError and stops a worker stuck in a loop', async () => {
    const p = pool(options({ processes: 1 }));
    const started = join(tempDir(), 'started');
    const running = rejectionOf(p.apply(spin, [started]));
    const queued = rejectionOf(p.apply(tasks.square, [2]));
    await until(() => existsSync(started));
    // Resolves only once the spinning worker has exited.
    await p.terminate();
    expect(await running).toBeInstanceOf(PoolTerminatedError);
    expect(await queued).toBeInstanceOf(PoolTerminatedError);
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
