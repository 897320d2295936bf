// What the adapter adds to threads.js (crash handling, recycling, stopping a
// running job, clone errors, startup), tested against the built package.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from '@parapool/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPool, type ThreadsPoolOptions } from '../dist/index.js';
import { tasks } from './fixtures/tasks.js';

// Before any pool exists, so before threads.js is first imported.
const signalListeners = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
const pools: Pool[] = [];
function pool(options: ThreadsPoolOptions = {}): Pool {
  const created = createPool({ processes: 2, ...options });
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
});

async function rejectionOf(promise: PromiseLike<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/** True when `workers` distinct workers of `p` can run at once. */
async function hasWorkers(p: Pool, workers: number): Promise<boolean> {
  const counter = new SharedArrayBuffer(4);
  const results = await p.starmap(
    tasks.barrier,
    Array.from({ length: workers }, () => [counter, workers] as [SharedArrayBuffer, number]),
    { chunksize: 1 },
  );
  return results.every((r) => r.reached) && new Set(results.map((r) => r.id)).size === workers;
}

describe('a worker that dies (threads.js alone leaves its task pending for ever)', () => {
  const shared = createPool({ processes: 2 });
  afterAll(() => shared.terminate());

  it('process.exit() in a task rejects that call with WorkerCrashedError and its exit code', async () => {
    const error = await rejectionOf(shared.apply(tasks.exit, [3]));
    expect(error.name).toBe('WorkerCrashedError');
    expect(error.exitCode).toBe(3);
  });

  it('the dead worker is replaced: the pool keeps its size', async () => {
    await rejectionOf(shared.apply(tasks.exit, [4]));
    await rejectionOf(shared.apply(tasks.exit, [5]));
    expect(await hasWorkers(shared, 2)).toBe(true);
  });

  it('an exception thrown from a timer ends the worker; the call fails with it as cause', async () => {
    const error = await rejectionOf(shared.apply(tasks.throwFromTimer, ['timer exploded']));
    expect(error.name).toBe('WorkerCrashedError');
    expect((error.cause as Error).message).toBe('timer exploded');
    expect(await shared.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
  });

  it('an unhandled rejection in a task ends the worker instead of being swallowed', async () => {
    const error = await rejectionOf(shared.apply(tasks.rejectUnhandled, ['nobody caught me']));
    expect(error.name).toBe('WorkerCrashedError');
    expect((error.cause as Error).message).toBe('nobody caught me');
  });

  it('a crash fails only the work of the worker that died', async () => {
    const counter = new SharedArrayBuffer(4);
    const survivor = shared.apply(tasks.barrier, [counter, 1]);
    await rejectionOf(shared.apply(tasks.exit, [6]));
    expect((await survivor).reached).toBe(true);
  });
});

describe('maxtasksperchild (threads.js has no recycling)', () => {
  it('replaces a worker after that many jobs', async () => {
    const p = pool({ processes: 1, maxtasksperchild: 2 });
    const stamps = await p.map(tasks.stamp, [1, 2, 3, 4, 5, 6], { chunksize: 1 });
    const ids = stamps.map((s) => s.id);
    expect(new Set(ids).size).toBe(3);
    expect(stamps.every((s) => (s.jobs ?? 0) <= 2)).toBe(true);
    for (const id of new Set(ids)) expect(ids.filter((x) => x === id)).toHaveLength(2);
  });

  it('keeps the pool at its size while recycling', async () => {
    const p = pool({ processes: 2, maxtasksperchild: 1 });
    await p.map(tasks.square, [1, 2, 3, 4], { chunksize: 1 });
    expect(await hasWorkers(p, 2)).toBe(true);
  });
});

describe('abort (threads.js has no AbortSignal and cannot cancel a started call)', () => {
  it('aborting a running job rejects at once with the reason and stops its worker', async () => {
    const p = pool({ processes: 1 });
    const flag = new SharedArrayBuffer(4);
    const controller = new AbortController();
    const outcome = rejectionOf(p.apply(tasks.spin, [flag], { signal: controller.signal }));
    while (Atomics.load(new Int32Array(flag), 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('no longer needed');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    // One worker, and the old one spins for ever: only a replacement can answer.
    expect(await p.apply(tasks.square, [7])).toBe(49);
  });

  it('terminate() rejects a running job with PoolTerminatedError and stops a spinning worker', async () => {
    const p = pool({ processes: 1 });
    const flag = new SharedArrayBuffer(4);
    const outcome = rejectionOf(p.apply(tasks.spin, [flag]));
    while (Atomics.load(new Int32Array(flag), 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await p.terminate();
    expect((await outcome).name).toBe('PoolTerminatedError');
  });
});

describe('data across the boundary', () => {
  const shared = createPool({ processes: 2 });
  afterAll(() => shared.terminate());

  it('an argument that cannot be cloned rejects with a CloneError that names the argument', async () => {
    const error = await rejectionOf(shared.apply(tasks.identity, [() => 1]));
    expect(error.name).toBe('CloneError');
    expect(error.message).toMatch(/argument could not be copied/);
  });

  it('a result that cannot be cloned rejects with a CloneError that names the result', async () => {
    const error = await rejectionOf(shared.apply(tasks.returnSymbol));
    expect(error.name).toBe('CloneError');
    expect(error.message).toMatch(/result could not be copied/);
    expect(await shared.apply(tasks.square, [3])).toBe(9);
  });

  it("a task's own error keeps its name, message and properties (not threads.js's error format)", async () => {
    const error = await rejectionOf(shared.map(tasks.parseOrFail, ['ok', 'bad']));
    expect(error.name).toBe('ParseError');
    expect(error.message).toBe('cannot parse bad');
    expect(error.line).toBe(7);
  });

  it('an Error returned as a value comes back as that Error', async () => {
    const [value] = await shared.map(tasks.makeError, ['a value, not a failure']);
    expect(value).toBeInstanceOf(TypeError);
    expect((value as Error).message).toBe('a value, not a failure');
  });
});

describe('loading the worker entry', () => {
  it('starts dist/worker.js (an ES module) for a program in another directory', async () => {
    // threads.js's own Worker resolves script paths relative to its caller's file.
    const dir = mkdtempSync(join(tmpdir(), 'parapool-threads-'));
    try {
      const entry = new URL('../dist/index.js', import.meta.url).href;
      writeFileSync(
        join(dir, 'caller.mjs'),
        `const { createPool } = await import(${JSON.stringify(entry)});
        const pool = createPool({ processes: 1 });
        console.log(JSON.stringify(await pool.map((n) => n * 2, [1, 2, 3])));
        await pool.terminate();`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, ['caller.mjs'], { cwd: dir });
      expect(JSON.parse(stdout)).toEqual([2, 4, 6]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('program exit', () => {
  it('a program that never closes its pool still exits when its work is done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parapool-threads-'));
    try {
      const entry = new URL('../dist/index.js', import.meta.url).href;
      writeFileSync(
        join(dir, 'forgets-close.mjs'),
        `const { createPool } = await import(${JSON.stringify(entry)});
        const pool = createPool({ processes: 2 });
        console.log(JSON.stringify(await pool.map((n) => n + 1, [1, 2])));`,
      );
      // execFile's timeout kills a program that hangs, which then fails the test.
      const { stdout } = await promisify(execFile)(process.execPath, ['forgets-close.mjs'], {
        cwd: dir,
        timeout: 20_000,
      });
      expect(JSON.parse(stdout)).toEqual([2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('threads.js options and side effects', () => {
  it('passes worker options through under `threads`', async () => {
    const p = pool({ processes: 1, threads: { env: { PARAPOOL_THREADS_PROBE: 'from options' } } });
    expect(await p.apply(tasks.env, ['PARAPOOL_THREADS_PROBE'])).toBe('from options');
  });

  it('a worker that runs out of its resourceLimits memory fails its call with WorkerCrashedError; the pool goes on', async () => {
    const p = pool({
      processes: 1,
      threads: { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } },
    });
    const error = await rejectionOf(p.apply(tasks.exhaustMemory));
    expect(error.name).toBe('WorkerCrashedError');
    expect((error.cause as Error & { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await p.apply(tasks.square, [6])).toBe(36);
  });

  it("a worker that cannot start fails the queued calls instead of hanging (threads' spawn timeout)", async () => {
    const p = pool({ processes: 1, threads: { timeout: 1 } });
    const error = await rejectionOf(p.apply(tasks.square, [2]));
    expect(error.message).toMatch(/worker could not start/);
  });

  it("does not keep threads.js's SIGINT/SIGTERM handlers or its `self` global", async () => {
    const p = pool({ processes: 1 });
    expect(await p.apply(tasks.square, [2])).toBe(4);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(signalListeners);
    expect('self' in globalThis).toBe(false);
  });
});
