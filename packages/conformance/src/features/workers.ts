import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOBS_AHEAD } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';
import { PROCESSES, rejectionOf, type SuiteContext, until } from '../context.js';
import { tasks } from '../tasks.js';

/** Whether `processes` workers can run at once, once per worker (the barrier's answers). */
async function fullSize(pool: import('@parapool/core').Pool, dir: string, processes = PROCESSES): Promise<boolean[]> {
  return pool.starmap(
    tasks.barrier,
    Array.from({ length: processes }, () => [dir, processes, 10_000] as [string, number, number]),
    { chunksize: 1 },
  );
}

const allTrue = (n = PROCESSES) => Array.from({ length: n }, () => true);

export function workersFeature(ctx: SuiteContext): void {
  describe('workers', () => {
    it(`runs ${PROCESSES} workers at once`, async () => {
      expect(await fullSize(ctx.shared(), join(ctx.tempDir(), 'b'))).toEqual(allTrue());
    });

    it(`inProcess is ${ctx.capabilities.inProcess}: tasks run ${ctx.capabilities.inProcess ? 'in' : 'outside'} the caller's thread`, async () => {
      const infos = await ctx.shared().map(tasks.workerInfo, [1, 2], { chunksize: 1 });
      const { threadId } = await import('node:worker_threads');
      for (const info of infos) {
        const here = info.pid === process.pid && info.threadId === threadId;
        expect(here).toBe(ctx.capabilities.inProcess);
      }
    });

    it(`separateProcesses is ${ctx.capabilities.separateProcesses}: workers ${ctx.capabilities.separateProcesses ? 'are processes of their own' : "share the caller's process"}`, async () => {
      const dir = join(ctx.tempDir(), 'b');
      // A barrier holds both workers at once, so the two answers come from two workers.
      await fullSize(ctx.shared(), dir);
      const infos = await ctx.shared().map(tasks.workerInfo, [1, 2, 3, 4], { chunksize: 1 });
      const pids = new Set(infos.map((info) => info.pid));
      if (ctx.capabilities.separateProcesses) {
        expect(pids.has(process.pid)).toBe(false);
      } else {
        expect([...pids]).toEqual([process.pid]);
      }
    });

    it(`jobsAhead is ${ctx.capabilities.jobsAhead}: a worker ${ctx.capabilities.jobsAhead ? `starts the ${JOBS_AHEAD} jobs it holds ahead` : 'does not start a job held ahead'} while the caller's thread is busy`, async () => {
      const pool = ctx.fresh();
      const dir = ctx.tempDir();
      expect(await fullSize(pool, join(dir, 'warm'))).toEqual(allTrue()); // both workers up
      // One item per chunk, 1 + JOBS_AHEAD chunks per worker: with jobs ahead, one to run and the rest ahead.
      const n = (1 + JOBS_AHEAD) * PROCESSES;
      const call = pool.starmap(
        tasks.countRun,
        Array.from({ length: n }, (_, i) => [dir, i, false] as [string, number, boolean]),
        { chunksize: 1 },
      );
      // With jobs ahead, let hand-overs that go through promises post (microtasks only: no result can
      // be read yet). Then hold this thread (no result is read, no job handed over): until every item
      // has run (at most 20 s) with jobs ahead; for 300 ms without, after which some items must still wait.
      if (ctx.capabilities.jobsAhead) for (let i = 0; i < 100; i++) await null;
      const ran = () => readdirSync(dir).filter((name) => name.startsWith('run-')).length;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + (ctx.capabilities.jobsAhead ? 20_000 : 300);
      while (ran() < n && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
      if (ctx.capabilities.jobsAhead) expect(ran()).toBe(n);
      else expect(ran()).toBeLessThan(n);
      expect(await call).toEqual(Array.from({ length: n }, (_, i) => i));
    });

    it('a task sees the worker running it through currentWorker()', async () => {
      const ids = await ctx.shared().map(tasks.workerId, [1, 2, 3, 4], { chunksize: 1 });
      expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    });

    it('the initializer runs once in each worker, with initargs, before its tasks', async () => {
      const pool = ctx.fresh({ initializer: tasks.init, initargs: ['hello'] });
      const states = await pool.map(
        tasks.initState,
        Array.from({ length: 20 }, (_, i) => i),
        { chunksize: 1 },
      );
      for (const state of states) {
        expect(state.count).toBe(1);
        expect(state.tag).toBe('hello');
      }
      expect(new Set(states.map((s) => s.id)).size).toBeLessThanOrEqual(PROCESSES);
    });

    it('a failing initializer fails the tasks with InitializerError, and the pool stays usable', async () => {
      const pool = ctx.fresh({ initializer: tasks.failingInit });
      const error = await rejectionOf(pool.map(tasks.square, [1, 2]));
      expect(error.name).toBe('InitializerError');
      expect(error.message).toContain('initializer exploded');
      expect((await rejectionOf(pool.apply(tasks.square, [3]))).name).toBe('InitializerError');
    });

    it('maxtasksperchild replaces a worker after that many jobs', async () => {
      const pool = ctx.fresh({ maxtasksperchild: 1 });
      const ids = await pool.map(
        tasks.workerId,
        Array.from({ length: 8 }, (_, i) => i),
        { chunksize: 1 },
      );
      expect(new Set(ids).size).toBe(8);
      const more = await pool.map(tasks.workerId, [1, 2, 3, 4], { chunksize: 2 });
      // Two items per job: each pair shares a worker, and no worker is reused.
      expect(more[0]).toBe(more[1]);
      expect(new Set([...ids, ...more]).size).toBe(10);
    });

    it('maxtasksperchild keeps the pool at full size', async () => {
      const pool = ctx.fresh({ maxtasksperchild: 2 });
      await pool.map(
        tasks.square,
        Array.from({ length: 10 }, (_, i) => i),
        { chunksize: 1 },
      );
      expect(await fullSize(pool, join(ctx.tempDir(), 'b'))).toEqual(allTrue());
    });

    if (ctx.capabilities.isolatesCrashes)
      describe('a worker that dies mid-task', () => {
        it('fails only that call, with WorkerCrashedError and the exit code', async () => {
          const pool = ctx.fresh();
          const other = pool.apply(tasks.sleep, [200, 'survived']);
          const error = await rejectionOf(pool.apply(tasks.exit, [7]));
          expect(error.name).toBe('WorkerCrashedError');
          expect((error as Error & { exitCode?: number | null }).exitCode).toBe(7);
          expect(await other).toBe('survived');
        });

        it('the calls queued behind it run on other workers, each once', async () => {
          const pool = ctx.fresh();
          const dir = ctx.tempDir();
          expect(await fullSize(pool, join(dir, 'warm'))).toEqual(allTrue());
          const crash = pool.apply(tasks.exitWhenFile, [join(dir, 'go'), 5]);
          const busy = pool.apply(tasks.waitForFile, [join(dir, 'free'), 20_000]); // holds the other worker
          // With jobsAhead these wait on the busy workers (one of them on the one that dies), else in the core.
          const after = [0, 1].map((i) => pool.apply(tasks.countRun, [dir, i, false]));
          writeFileSync(join(dir, 'go'), '');
          expect((await rejectionOf(crash)).name).toBe('WorkerCrashedError');
          writeFileSync(join(dir, 'free'), '');
          expect(await busy).toBe(true);
          expect(await Promise.all(after)).toEqual([0, 1]);
          for (const i of [0, 1]) expect(readFileSync(join(dir, `run-${i}`), 'utf8')).toBe('x');
        });

        it('a crash beside a running map fails only the crashing call: what that worker held of the map runs elsewhere', async () => {
          const pool = ctx.fresh();
          const dir = ctx.tempDir();
          expect(await fullSize(pool, join(dir, 'warm'))).toEqual(allTrue());
          const n = 6;
          const map = pool.starmap(
            tasks.markThenSleep,
            Array.from({ length: n }, (_, i) => [dir, `run-${i}`, 100] as [string, string, number]),
            { chunksize: 1 },
          );
          // Both workers have begun the map: with jobsAhead its other items are held on them, and the crash goes behind them.
          await until(
            () => existsSync(join(dir, 'run-0')) && existsSync(join(dir, 'run-1')),
            20_000,
            'the map to start on both workers',
          );
          const crash = pool.apply(tasks.exitWhenStarted, [dir, n, 7]);
          if (ctx.capabilities.jobsAhead) {
            for (let i = 0; i < 100; i++) await null; // let the crash's hand-over post (microtasks only)
            // Hold this thread (no answer is read, nothing is handed over) until the worker has died:
            // its answers to the map's items it ran are then still unread when its end is heard.
            const pause = new Int32Array(new SharedArrayBuffer(4));
            const deadline = Date.now() + 20_000;
            while (!existsSync(join(dir, 'exiting')) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
            Atomics.wait(pause, 0, 0, 200);
          }
          const error = await rejectionOf(crash);
          expect(error.name).toBe('WorkerCrashedError');
          expect((error as Error & { exitCode?: number | null }).exitCode).toBe(7);
          expect(await map).toEqual(Array.from({ length: n }, (_, i) => `run-${i}`));
        });

        it('a crash ahead of a map fails only the crashing call: the items held behind it run elsewhere, each once', async () => {
          const pool = ctx.fresh();
          const dir = ctx.tempDir();
          expect(await fullSize(pool, join(dir, 'warm'))).toEqual(allTrue());
          const crash = pool.apply(tasks.exitWhenFile, [join(dir, 'go'), 7]);
          await until(() => existsSync(join(dir, 'go-waiting')), 20_000, 'the crashing task to start');
          // With jobsAhead the dying worker holds some of these behind the crash; else the core does.
          const n = 6;
          const map = pool.starmap(
            tasks.countRun,
            Array.from({ length: n }, (_, i) => [dir, i, false] as [string, number, boolean]),
            { chunksize: 1 },
          );
          await until(() => existsSync(join(dir, 'run-0')), 20_000, 'the map to start on the other worker');
          writeFileSync(join(dir, 'go'), '');
          expect((await rejectionOf(crash)).name).toBe('WorkerCrashedError');
          expect(await map).toEqual(Array.from({ length: n }, (_, i) => i));
          for (let i = 0; i < n; i++) expect(readFileSync(join(dir, `run-${i}`), 'utf8')).toBe('x');
        });

        it('is replaced: the pool keeps serving at full size', async () => {
          const pool = ctx.fresh();
          await rejectionOf(pool.apply(tasks.exit, [1]));
          await rejectionOf(pool.apply(tasks.exit, [0]));
          expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
          expect(await fullSize(pool, join(ctx.tempDir(), 'b'))).toEqual(allTrue());
        });

        it('an exception thrown outside the task (from a timer) fails that call with WorkerCrashedError', async () => {
          const pool = ctx.fresh();
          const error = await rejectionOf(pool.apply(tasks.throwFromTimer, ['timer boom']));
          expect(error.name).toBe('WorkerCrashedError');
          expect(await pool.apply(tasks.square, [6])).toBe(36);
        });

        it('a crash inside a map fails the map and leaves other calls alone', async () => {
          const pool = ctx.fresh();
          const other = pool.map(tasks.sleep, [100, 100], { chunksize: 1 });
          const error = await rejectionOf(
            pool.map((n: number) => (n === 2 ? process.exit(3) : n), [1, 2, 3], { chunksize: 1 }),
          );
          expect(error.name).toBe('WorkerCrashedError');
          expect(await other).toEqual([undefined, undefined]);
          expect(await pool.map(tasks.square, [4])).toEqual([16]);
        });
      });
  });
}
