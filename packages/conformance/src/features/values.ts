import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TaskHandles } from '@parapool/core';
import { describe, expect, it } from 'vitest';
import { rejectionOf, type SuiteContext } from '../context.js';
import { tasks } from '../tasks.js';
import { Point, Unregistered, ValidationError, valueTasks } from '../tasks-values.js';

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function valuesFeature(ctx: SuiteContext): void {
  describe('what crosses the worker boundary', () => {
    describe('errors arrive whole', () => {
      it("a task's error keeps its own properties of every cloneable kind: objects, dates, arrays, maps", async () => {
        const error = (await rejectionOf(ctx.shared().apply(valueTasks.throwDetailed, ['lost']))) as Error &
          Record<string, unknown>;
        expect(error.name).toBe('DetailedError');
        expect(error.message).toBe('lost');
        expect(error.stack).toMatch(/DetailedError: lost/);
        expect(error.code).toBe('E_DETAILED');
        expect(error.attempts).toEqual([1, 2, 3]);
        const details = error.details as { when: Date; tags: string[]; limits: object };
        expect(details.when).toBeInstanceOf(Date);
        expect(details.when.toISOString()).toBe('2024-01-02T00:00:00.000Z');
        expect(details).toMatchObject({ tags: ['a', 'b'], limits: { low: 1, high: 9 } });
        expect(error.seen).toEqual(new Map([['host', 'db-1']]));
      });

      it("a task's error keeps its cause chain, each cause an error of its class with its properties", async () => {
        const error = await rejectionOf(ctx.shared().apply(valueTasks.throwCauseChain));
        expect(error.message).toBe('top');
        const middle = error.cause as Error;
        expect(middle).toBeInstanceOf(RangeError);
        expect(middle.message).toBe('middle');
        expect(middle.stack).toContain('RangeError: middle');
        const root = middle.cause as Error & { code?: string };
        expect(root).toBeInstanceOf(TypeError);
        expect(root.message).toBe('root');
        expect(root.code).toBe('E_ROOT');
      });

      it('an AggregateError arrives as one, with its errors', async () => {
        const error = await rejectionOf(ctx.shared().apply(valueTasks.throwAggregate));
        expect(error).toBeInstanceOf(AggregateError);
        expect(error.message).toBe('two things failed');
        const [first, second] = (error as AggregateError).errors as Error[];
        expect(first).toBeInstanceOf(TypeError);
        expect(first?.message).toBe('first');
        expect(second).toBeInstanceOf(ValidationError);
        expect((second as ValidationError).field).toBe('age');
      });

      it('a DOMException arrives as one, with its name and code', async () => {
        const error = await rejectionOf(ctx.shared().apply(valueTasks.throwDomException, ['too slow', 'TimeoutError']));
        expect(error).toBeInstanceOf(DOMException);
        expect(error.name).toBe('TimeoutError');
        expect(error.message).toBe('too slow');
        expect((error as DOMException).code).toBe(DOMException.TIMEOUT_ERR);
      });

      it('own properties that cannot be cloned arrive as markers that say so; the rest arrives', async () => {
        const error = (await rejectionOf(ctx.shared().apply(valueTasks.throwUncloneableProps))) as Error &
          Record<string, unknown>;
        expect(error.message).toBe('holds a function');
        expect(error.onRetry).toBe('[uncloneable: function onRetry]');
        expect(error.tag).toBe('[uncloneable: Symbol(tag)]');
        expect(error.nested).toEqual({ callback: '[uncloneable: function callback]', kept: 'yes' });
        expect(error.kept).toBe(42);
      });

      it('a failing fetch arrives with its cause, the real reason', async () => {
        const port = await closedPort();
        const url = `http://127.0.0.1:${port}/`;
        // What this runtime's fetch throws, here: Node's is TypeError('fetch failed') caused by ECONNREFUSED,
        // Bun's a TypeError with the code on itself, Deno's a TypeError caused by the OS's refusal.
        const here = (await rejectionOf(valueTasks.fetchStatus(url))) as Error & { code?: unknown };
        const error = (await rejectionOf(ctx.shared().apply(valueTasks.fetchStatus, [url]))) as Error & {
          code?: unknown;
        };
        expect(error).toBeInstanceOf(TypeError);
        expect(error.message).toBe(here.message);
        expect(error.code).toBe(here.code);
        const cause = error.cause as NodeJS.ErrnoException | undefined;
        const hereCause = here.cause as NodeJS.ErrnoException | undefined;
        if (hereCause !== undefined) {
          expect(cause).toBeInstanceOf(Error);
          expect(cause?.code).toBe(hereCause.code);
          expect(cause?.message).toBe(hereCause.message);
        }
        // The real reason arrives, wherever the runtime keeps it.
        expect(`${error.message} ${String(error.code)} ${cause?.code} ${cause?.message}`).toMatch(
          /ECONNREFUSED|Connection refused/,
        );
      });

      it('an error whose getter throws arrives with that getter marked unreadable; the worker lives on', async () => {
        const pool = ctx.fresh({ processes: 1 });
        const before = await pool.apply(tasks.workerId);
        const error = (await rejectionOf(pool.apply(valueTasks.throwWithThrowingGetter))) as Error & {
          secret?: unknown;
        };
        expect(error.message).toBe('has a bad getter');
        expect(error.secret).toMatch(/^\[unreadable: the getter of 'secret' threw Error: getter exploded\]$/);
        if (ctx.capabilities.observesWorkers) {
          expect(await pool.apply(tasks.workerId)).toBe(before);
          expect(pool.insights().replacements.crash).toBe(0);
        } else {
          // Workers the pool does not observe (hosts of their own) may take the next call elsewhere.
          expect(typeof (await pool.apply(tasks.workerId))).toBe('string');
        }
      });
    });

    describe('values that cannot be copied fail their own call only', () => {
      it('a result whose getter throws fails that call with a CloneError saying so; the worker lives on', async () => {
        const pool = ctx.fresh({ processes: 1 });
        const before = await pool.apply(tasks.workerId);
        const error = await rejectionOf(pool.apply(valueTasks.returnThrowingGetter));
        expect(error.name).toBe('CloneError');
        expect(error.message).toMatch(/property 'secret' threw Error: getter exploded/);
        if (ctx.capabilities.observesWorkers) {
          expect(await pool.apply(tasks.workerId)).toBe(before);
          expect(pool.insights().replacements.crash).toBe(0);
        } else {
          // Workers the pool does not observe (hosts of their own) may take the next call elsewhere.
          expect(typeof (await pool.apply(tasks.workerId))).toBe('string');
        }
      });

      it('one result that cannot be cloned fails its call alone: calls batched with it get their results, and none runs twice', async () => {
        const pool = ctx.fresh({ processes: 1 });
        const dir = ctx.tempDir();
        const bad = 4;
        const calls = Array.from({ length: 12 }, (_, i) => pool.applyAsync(valueTasks.recordRun, [dir, i, i === bad]));
        const settled = await Promise.allSettled(calls.map((call) => call.get()));
        const failed = settled[bad];
        expect(failed?.status).toBe('rejected');
        expect((failed as PromiseRejectedResult).reason.name).toBe('CloneError');
        const good = settled.filter((_, i) => i !== bad);
        expect(good.every((s) => s.status === 'fulfilled')).toBe(true);
        // Every call ran exactly once.
        expect(readdirSync(dir).length).toBe(12);
        const runs = Array.from({ length: 12 }, (_, i) =>
          readFileSync(join(dir, String(i)), 'utf8')
            .trim()
            .split('\n'),
        );
        expect(runs.every((lines) => lines.length === 1)).toBe(true);
        // And the failed call really shared its job with good ones (else this test proves nothing).
        const badJob = runs[bad]?.[0];
        const stamps = good.map((s) => (s as PromiseFulfilledResult<unknown>).value);
        expect(stamps).toContain(badJob);
      });
    });

    describe('shared memory', () => {
      it('a SharedArrayBuffer is shared with thread workers; with a worker process it fails that call with a CloneError', async () => {
        const pool = ctx.shared();
        const shared = new SharedArrayBuffer(4);
        if (ctx.capabilities.separateProcesses) {
          const sent = await rejectionOf(pool.apply(valueTasks.writeShared, [shared, 7]));
          expect(sent.name).toBe('CloneError');
          expect(sent.message).toMatch(/SharedArrayBuffer/);
          const returned = await rejectionOf(pool.apply(valueTasks.makeShared));
          expect(returned.name).toBe('CloneError');
          expect(returned.message).toMatch(/SharedArrayBuffer/);
        } else {
          expect(await pool.apply(valueTasks.writeShared, [shared, 7])).toBe(true);
          expect(new Int32Array(shared)[0]).toBe(7);
          expect(await pool.apply(valueTasks.makeShared)).toBeInstanceOf(SharedArrayBuffer);
        }
        expect(await pool.apply(tasks.square, [3])).toBe(9);
      });
    });

    describe('registered classes', () => {
      it('an error of a registered class arrives as an instance of it, with its fields and methods', async () => {
        const error = await rejectionOf(ctx.shared().apply(valueTasks.throwValidation, ['age']));
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toBeInstanceOf(RangeError);
        const validation = error as ValidationError;
        expect(validation.name).toBe('ValidationError');
        expect(validation.describe()).toBe('age: age is out of range');
        expect(validation.at).toBeInstanceOf(Point);
        expect(validation.at?.norm()).toBe(5);
        expect(validation.stack).toContain('ValidationError: age is out of range');
      });

      it("registered instances among an error's properties arrive as instances", async () => {
        const error = (await rejectionOf(ctx.shared().apply(valueTasks.throwHoldingPoint))) as Error & {
          where: Point;
          list: Point[];
        };
        expect(error.where).toBeInstanceOf(Point);
        expect(error.where.norm()).toBe(10);
        expect(error.list[0]).toBeInstanceOf(Point);
      });

      it('instances of unregistered classes keep structured-clone behaviour: their fields, as plain objects', async () => {
        const pool = ctx.shared();
        const returned = await pool.apply(valueTasks.makeUnregistered, [7]);
        expect(returned).not.toBeInstanceOf(Unregistered);
        expect(returned).toEqual({ value: 7 });
        expect(await pool.apply(valueTasks.inspect, [new Unregistered(3)])).toEqual({
          isPoint: false,
          isUnregistered: false,
          fields: { value: 3 },
        });
      });
    });

    // In-process backends run tasks in the caller's thread, where the module already loaded.
    if (!ctx.capabilities.inProcess)
      it('a task module that fails at import after defineTasks fails every call that needs it, with the import error', async () => {
        const url = new URL('../../fixtures/half-initialised.js', import.meta.url).href;
        const { halfTasks } = (await import(url)) as { halfTasks: TaskHandles<{ answer: () => number }> };
        const pool = ctx.fresh({ processes: 1 });
        for (let call = 0; call < 3; call++) {
          const error = await rejectionOf(pool.apply(halfTasks.answer));
          expect(error.name).toBe('TaskResolutionError');
          expect(error.message).toMatch(/half-initialised\.js.*failed after defineTasks/);
        }
        expect(await pool.apply(tasks.square, [7])).toBe(49);
      });
  });
}

/**
 * Registered instances in arguments and results, on every backend. Not yet
 * part of {@link features}: these pass once the pool hands each job to its
 * backend through `encodeJob()` and each result back through `decodeResult()`
 * (core `wire/job-codec.ts`), which is the scheduler's side of the codec.
 * Register this feature in index.ts with that change.
 */
export function registeredClassCallsFeature(ctx: SuiteContext): void {
  describe('registered classes in arguments and results', () => {
    it('a registered instance passed as an argument arrives in the task as an instance', async () => {
      const pool = ctx.shared();
      expect(await pool.apply(valueTasks.inspect, [new Point(3, 4)])).toMatchObject({ isPoint: true });
      expect(await pool.map((p: Point) => p.norm(), [new Point(3, 4), new Point(6, 8)])).toEqual([5, 10]);
    });

    it('a registered instance returned by a task arrives as an instance, in every kind of call', async () => {
      const pool = ctx.shared();
      const one = await pool.apply(valueTasks.scale, [new Point(3, 4), 2]);
      expect(one).toBeInstanceOf(Point);
      expect(one.norm()).toBe(10);
      const many = await pool.starmap(
        valueTasks.scale,
        Array.from({ length: 30 }, (_, i) => [new Point(i, 0), 2] as [Point, number]),
      );
      expect(many.map((p) => p instanceof Point && p.norm())).toEqual(Array.from({ length: 30 }, (_, i) => 2 * i));
      const batched = Array.from({ length: 10 }, (_, i) => pool.applyAsync(valueTasks.scale, [new Point(0, i), 1]));
      for (const [i, result] of batched.entries()) expect((await result.get()).norm()).toBe(i);
      const lazy: number[] = [];
      for await (const p of pool.imap((p: Point) => p, [new Point(1, 0), new Point(2, 0)])) lazy.push(p.norm());
      expect(lazy).toEqual([1, 2]);
    });
  });
}
