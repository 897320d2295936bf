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

describe('a worker that dies (threads.js alone leaves its task pending for ever)', () => {
  const shared = createPool({ processes: 2 });
  afterAll(() => shared.terminate());

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
});

describe('data across the boundary', () => {
  const shared = createPool({ processes: 2 });
  afterAll(() => shared.terminate());

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
