import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fullSize as allRunAtOnce, rejectionOf, tasks, until, useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import {
  CloneError,
  createPool,
  type PiscinaPoolOptions,
  type Pool,
  PoolTerminatedError,
  WorkerCrashedError,
} from '../dist/index.js';

const { pool, tempDir } = useTestPools((options: PiscinaPoolOptions) => createPool(options), 'piscina');

/** True if `n` workers can run at once: a barrier across all of them passes. */
const fullSize = (target: Pool, n: number) => allRunAtOnce(target, n, join(tempDir(), 'barrier'));

/** Marks `path` then spins forever: only terminating its thread stops it. */
const spin = (path: string): never => {
  (process.getBuiltinModule('node:fs') as typeof import('node:fs')).writeFileSync(path, '');
  for (;;) {}
};

describe('options', () => {
  it('passes piscina options through to every worker', async () => {
    const p = pool({ processes: 2, piscina: { env: { PARAPOOL_PROBE: 'through' } } });
    const seen = await p.map((_: number) => process.env.PARAPOOL_PROBE, [1, 2, 3, 4], { chunksize: 1 });
    expect(seen).toEqual(['through', 'through', 'through', 'through']);
  });

  it('refuses the piscina options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ piscina: { maxThreads: 4 } as never })).toThrow(/processes/);
    expect(() => createPool({ piscina: { filename: 'x.js' } as never })).toThrow(TypeError);
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

describe('maxtasksperchild', () => {
  it('replaces a worker after that many jobs (piscina has no such option)', async () => {
    const p = pool({ processes: 1, maxtasksperchild: 2 });
    const stamps = await p.map(tasks.jobStamp, [1, 2, 3, 4, 5, 6], { chunksize: 1 });
    const workers = stamps.map((stamp) => stamp.split('#')[0]);
    expect(new Set(workers).size).toBe(3);
    expect(stamps.map((stamp) => stamp.split('#')[1])).toEqual(['1', '2', '1', '2', '1', '2']);
  });
});

describe('a worker that dies mid-job', () => {
  it('process.exit(): WorkerCrashedError with the exit code; the pool keeps its size', async () => {
    const p = pool({ processes: 2 });
    const error = await rejectionOf(p.apply(tasks.exit, [5]));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(5);
    expect(await fullSize(p, 2)).toBe(true);
  });

  it('an exception thrown from a timer: WorkerCrashedError that names it', async () => {
    const p = pool({ processes: 1 });
    const error = await rejectionOf(p.apply(tasks.throwFromTimer, ['late boom']));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toContain('late boom');
    expect(await p.apply(tasks.square, [3])).toBe(9);
  });

  it('a thread over its resourceLimits: WorkerCrashedError; the pool keeps serving', async () => {
    const p = pool({ processes: 1, piscina: { resourceLimits: { maxOldGenerationSizeMb: 16 } } });
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

describe('abort', () => {
  it('aborting a job stuck in a loop stops its thread: the call rejects and the pool is back to full size', async () => {
    const p = pool({ processes: 2 });
    const started = join(tempDir(), 'started');
    const controller = new AbortController();
    const call = p.apply(spin, [started], { signal: controller.signal });
    await until(() => existsSync(started));
    const reason = new Error('enough');
    controller.abort(reason);
    expect(await rejectionOf(call)).toBe(reason);
    expect(await fullSize(p, 2)).toBe(true);
  });
});

describe('values that cannot be cloned', () => {
  it('a result that cannot be cloned rejects with CloneError; the worker lives on', async () => {
    const p = pool({ processes: 1 });
    const before = await p.apply(tasks.workerId);
    expect(await rejectionOf(p.apply(tasks.returnFunction))).toBeInstanceOf(CloneError);
    expect(await p.apply(tasks.workerId)).toBe(before);
  });

  it('an argument that cannot be cloned rejects with CloneError; the worker lives on', async () => {
    const p = pool({ processes: 1 });
    const before = await p.apply(tasks.workerId);
    expect(await rejectionOf(p.apply(tasks.identity, [Symbol('no')]))).toBeInstanceOf(CloneError);
    expect(await p.apply(tasks.workerId)).toBe(before);
  });
});

describe('terminate', () => {
  it('rejects running and queued jobs with PoolTerminatedError and stops a thread stuck in a loop', async () => {
    const p = pool({ processes: 1 });
    const started = join(tempDir(), 'started');
    const running = rejectionOf(p.apply(spin, [started]));
    const queued = rejectionOf(p.apply(tasks.square, [2]));
    await until(() => existsSync(started));
    // Resolves only once the spinning thread has exited.
    await p.terminate();
    expect(await running).toBeInstanceOf(PoolTerminatedError);
    expect(await queued).toBeInstanceOf(PoolTerminatedError);
  });
});
