import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTasks, type Pool } from '@parapool/core';
import { BasePool } from '@parapool/core/adapter';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ChildProcessBackend, createPool, WorkerStartupError } from '../dist/index.js';
import { tasks } from './fixtures/tasks.js';
import { liveChildren, rejectionOf } from './helpers/children.js';
import { runScenario } from './helpers/scenario.js';

const pools: Pool[] = [];
function track(pool: Pool): Pool {
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((pool) => pool.terminate()));
});

/** A pool whose backend the test can inspect. */
function poolWithBackend(options: ConstructorParameters<typeof BasePool>[0] & { childProcess?: object } = {}) {
  let backend!: ChildProcessBackend;
  const pool = track(
    new BasePool({ processes: 2, ...options }, (resolved) => {
      backend = new ChildProcessBackend(resolved, options.childProcess);
      return backend;
    }),
  );
  return { pool, backend };
}

describe('childProcess options', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'parapool-cp-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("workers get no Node flags by default, not the parent's (a test runner's flags stay out)", async () => {
    const pool = track(createPool({ processes: 1 }));
    expect(await pool.apply(tasks.execArgv)).toEqual([]);
  });

  it('passes execArgv, env and cwd to every worker', async () => {
    const pool = track(
      createPool({
        processes: 1,
        childProcess: {
          execArgv: ['--max-old-space-size=200'],
          env: { ...process.env, PARAPOOL_TEST: 'from-parent' },
          cwd: dir,
        },
      }),
    );
    expect(await pool.apply(tasks.execArgv)).toEqual(['--max-old-space-size=200']);
    expect(await pool.apply(tasks.env, ['PARAPOOL_TEST'])).toBe('from-parent');
    expect(await pool.apply(tasks.cwd)).toBe(dir);
  });

  it("'advanced' serialization (the default) carries Map, Set, Date, BigInt and typed arrays", async () => {
    const pool = track(createPool({ processes: 1 }));
    const value = {
      map: new Map([['a', 1]]),
      set: new Set([1, 2]),
      date: new Date(0),
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
    };
    expect(await pool.apply(tasks.echo, [value])).toEqual(value);
  });

  it("'json' serialization works for plain data", async () => {
    const pool = track(createPool({ processes: 1, childProcess: { serialization: 'json' } }));
    expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
  });

  it("'json' serialization: a value JSON cannot encode fails its own call with CloneError; the others arrive", async () => {
    const pool = track(createPool({ processes: 1, childProcess: { serialization: 'json' } }));
    const calls = [1, 2, 3].map((n) => pool.applyAsync(tasks.bigIfTwo, [n]));
    const outcomes = await Promise.allSettled(calls.map((call) => call.get()));
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 3 });
    const error = (outcomes[1] as PromiseRejectedResult).reason as Error;
    expect(error.name).toBe('CloneError');
    expect(error.message).toMatch(/BigInt/);
    expect(error.message).toMatch(/'json' serialization, only JSON/);
  });

  it("'json' serialization: an error whose details JSON cannot encode still says what failed", async () => {
    const pool = track(createPool({ processes: 1, childProcess: { serialization: 'json' } }));
    const error = await pool.apply(tasks.throwWithBigDetail, ['it broke']).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('it broke');
  });

  it('bad options throw a TypeError at construction', () => {
    expect(() => createPool({ childProcess: { execArgv: '--inspect' as never } })).toThrow(TypeError);
    expect(() => createPool({ childProcess: { serialization: 'xml' as never } })).toThrow(TypeError);
  });
});

describe('workers that cannot start', () => {
  it('a bad execArgv rejects the call with WorkerStartupError, and the pool does not respawn in a loop', async () => {
    // In a process of its own: node's "bad option" complaint is captured, not shown.
    const { report, stderr } = await runScenario('bad-exec-argv');
    expect(report.first).toMatchObject({ startup: true, crashed: true });
    expect(report.first.message).toMatch(/exited with code 9 before it was ready/);
    expect(report.first.message).toMatch(/execArgv/);
    // Stopped respawning: no worker alive or starting.
    expect(report.afterFirst).toEqual({ pids: [], live: [] });
    // The next call tries again, and fails the same way.
    expect(report.second).toMatchObject({ startup: true });
    expect(report.afterSecond.pids).toEqual([]);
    // What the worker said as it died is there for the user to read.
    expect(stderr).toContain('bad option: --no-such-node-flag');
  }, 120_000);

  it('a cwd that does not exist rejects with WorkerStartupError carrying the spawn error', async () => {
    const { pool } = poolWithBackend({ childProcess: { cwd: join(tmpdir(), 'parapool-no-such-dir-7f3a') } });
    const error = await rejectionOf(pool.apply(tasks.square, [2]));
    expect(error).toBeInstanceOf(WorkerStartupError);
    expect(error.message).toMatch(/could not be spawned/);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a task module that throws on import fails its calls with a clear error; the workers keep serving', async () => {
    const { pool, backend } = poolWithBackend();
    await pool.map(tasks.square, [1, 2], { chunksize: 1 });
    const pids = [...backend.pids];
    const broken = defineTasks(new URL('./fixtures/throws-on-import.js', import.meta.url).href, {
      never: () => 'unreachable in this test',
    });
    const error = await rejectionOf(pool.apply(broken.never));
    expect(error.name).toBe('TaskResolutionError');
    expect(error.message).toMatch(/throws-on-import\.js.*this module throws on import/);
    expect(await pool.apply(tasks.square, [4])).toBe(16);
    expect(backend.pids).toEqual(pids);
  });
});

describe('crashes', () => {
  it('a worker that runs out of memory fails only its call, with WorkerCrashedError; the pool keeps serving', async () => {
    // In a process of its own: V8's out-of-memory report is captured, not shown.
    const { report, stderr } = await runScenario('out-of-memory');
    expect(report.error).toMatchObject({ name: 'WorkerCrashedError', crashed: true });
    expect(report.error.signal !== null || (report.error.exitCode ?? 0) !== 0).toBe(true);
    expect(report.served).toEqual([1, 4, 9]);
    expect(report.workers).toBe(2);
    expect(stderr).toContain('JavaScript heap out of memory');
  }, 120_000);
});

describe('stopping', () => {
  it('terminate() kills every child at once, busy or idle, and rejects their work', async () => {
    const { pool, backend } = poolWithBackend();
    const pids = await pool.map(tasks.pid, [1, 2], { chunksize: 1 });
    const busy = rejectionOf(pool.apply(tasks.sleep, [60_000]));
    expect(liveChildren()).toEqual(expect.arrayContaining(backend.pids));
    await pool.terminate();
    expect((await busy).name).toBe('PoolTerminatedError');
    expect(liveChildren().filter((pid) => pids.includes(pid))).toEqual([]);
    expect(backend.pids).toEqual([]);
  });
});
