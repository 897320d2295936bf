/**
 * The scheduler's own rules, against a fake backend (no worker threads): the
 * one queue, its window, cancellation before and after a job starts, batching,
 * fail-fast, and close/terminate races. Deterministic: the test decides when
 * each job ends.
 */
import { describe, expect, it } from 'vitest';
import { BasePool, serializeError } from '../src/adapter.js';
import { PoolTerminatedError } from '../src/errors.js';
import { CloneError, createPool } from '../src/index.js';
import { FakeBackend, fakePool, isSettled, settle } from './helpers/fake-backend.js';

const square = (n: number) => n * n;
const failIfNegative = (n: number) => {
  if (n < 0) throw new RangeError(`negative: ${n}`);
  return n;
};
const add = (a: number, b: number) => a + b;

/** Completes every job on the backend, and those handed over after, until none is left. */
async function completeAll(backend: FakeBackend): Promise<void> {
  for (;;) {
    await settle();
    const open = backend.onBackend;
    if (open.length === 0) return;
    for (const h of open) await h.complete();
  }
}

describe('the job queue', () => {
  it('hands the backend one job per worker; the next when one ends', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const call = pool.map(square, [1, 2, 3, 4, 5], { chunksize: 1 });
    await settle();
    expect(backend.handed).toHaveLength(2);
    await backend.handed[0]?.complete();
    await settle();
    expect(backend.handed).toHaveLength(3);
    expect(backend.onBackend).toHaveLength(2);
    while (backend.onBackend.length > 0) {
      for (const h of backend.onBackend) await h.complete();
      await settle();
    }
    expect(await call).toEqual([1, 4, 9, 16, 25]);
  });

  it('a backend that asks for two jobs per worker gets two, no more', async () => {
    const { pool, backend } = fakePool({ processes: 2 }, 2);
    const call = pool.map(square, [1, 2, 3, 4, 5, 6], { chunksize: 1 });
    await settle();
    expect(backend.handed).toHaveLength(4);
    for (;;) {
      const open = backend.onBackend;
      if (open.length === 0) break;
      for (const h of open) await h.complete();
      await settle();
    }
    expect(await call).toEqual([1, 4, 9, 16, 25, 36]);
  });

  it('a backend that grows gets waiting jobs at once, before any running job ends', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const call = pool.map(square, [1, 2, 3, 4], { chunksize: 1 });
    await settle();
    expect(backend.handed).toHaveLength(1);
    backend.resize(3);
    await settle();
    expect(backend.onBackend).toHaveLength(3);
    await completeAll(backend);
    expect(await call).toEqual([1, 4, 9, 16]);
  });

  it('keeps submission order across calls: a later call waits behind an earlier one', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const first = pool.map(square, [1, 2], { chunksize: 1 });
    const second = pool.map(square, [3], { chunksize: 1 });
    await settle();
    expect(backend.handed.map((h) => h.job.items[0])).toEqual([1]);
    await backend.handed[0]?.complete();
    await settle();
    await backend.handed[1]?.complete();
    await settle();
    expect(backend.handed.map((h) => h.job.items[0])).toEqual([1, 2, 3]);
    await backend.handed[2]?.complete();
    expect(await first).toEqual([1, 4]);
    expect(await second).toEqual([9]);
  });
});

describe('map', () => {
  it('results are in input order when chunks end out of order', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const call = pool.map(square, [1, 2, 3, 4], { chunksize: 2 });
    await settle();
    await backend.handed[1]?.complete();
    await backend.handed[0]?.complete();
    expect(await call).toEqual([1, 4, 9, 16]);
  });

  it('fails fast: rejects with the first failure at once; queued chunks never reach the backend; running ones are not stopped', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const call = pool.map(failIfNegative, [-1, 2, 3, 4, 5, 6], { chunksize: 1 });
    await settle();
    expect(backend.handed).toHaveLength(2);
    await backend.handed[0]?.complete();
    await expect(call).rejects.toThrow(RangeError);
    await settle();
    expect(backend.handed).toHaveLength(2); // nothing more was handed over
    const running = backend.handed[1];
    expect(running?.control.cancelled).toBe(true);
    expect(running?.control.stopRequested).toBe(false);
    await running?.complete(); // its result is dropped
    const next = pool.map(square, [7], { chunksize: 1 });
    await settle();
    expect(backend.handed.map((h) => h.job.items[0])).toEqual([-1, 2, 7]);
    await backend.handed[2]?.complete();
    expect(await next).toEqual([49]);
  });

  it('an aborted signal rejects at once with its reason; running jobs are asked to stop, queued ones never start', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const controller = new AbortController();
    const call = pool.map(square, [1, 2, 3], { chunksize: 1, signal: controller.signal });
    await settle();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await call.catch((error: unknown) => error)).toBe(reason);
    expect(backend.handed).toHaveLength(1);
    expect(backend.handed[0]?.control.stopRequested).toBe(true);
    await settle();
    expect(backend.handed).toHaveLength(1);
  });

  it('a throwing onProgress fails the call with its error', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const call = pool.map(square, [1, 2], {
      chunksize: 1,
      onProgress: () => {
        throw new Error('progress broke');
      },
    });
    await settle();
    await backend.handed[0]?.complete();
    await expect(call).rejects.toThrow('progress broke');
    await settle();
    expect(backend.handed).toHaveLength(1);
  });

  it('a whole-job CloneError names the map item that cannot be cloned', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const items: unknown[] = [1, 2, () => 3];
    const call = pool.map((x: unknown) => x, items, { chunksize: 3 });
    await settle();
    backend.handed[0]?.fail(new CloneError('An argument could not be copied between threads/processes'));
    const error = (await call.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CloneError);
    expect(error.message).toMatch(/^map item 2: An argument could not be copied/);
  });

  it('a whole-job CloneError names the starmap item that cannot be cloned, also when the arguments went as columns', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const argsList: [number, unknown][] = Array.from({ length: 40 }, (_, i) => [i, i * 2]);
    argsList[27] = [27, () => 54];
    const call = pool.starmap((a: number, b: unknown) => [a, b], argsList, { chunksize: 20 });
    await settle();
    await backend.handed[0]?.complete();
    await settle();
    expect(backend.handed[1]?.job.columns).toHaveLength(2);
    backend.handed[1]?.fail(new CloneError('An argument could not be copied between threads/processes'));
    const error = (await call.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CloneError);
    expect(error.message).toMatch(/^starmap item 27: An argument could not be copied/);
  });
});

describe('map results', () => {
  it('fills one real Array from chunks of packed numbers and of other values, in any order of arrival, every value exact', async () => {
    for (const numbersFirst of [true, false]) {
      const { pool, backend } = fakePool({ processes: 2 });
      const call = pool.map((x: unknown) => x, [0, 1, 2, 3, 4, 5], { chunksize: 3 });
      await settle();
      const [first, second] = backend.handed;
      const numbers = { values: new Float64Array([-0, Number.NaN, 2 ** 53 + 2]) };
      const others = { values: ['x', undefined, 0.5] };
      first?.answer(numbersFirst ? numbers : { values: [-0, Number.NaN, 2 ** 53 + 2] });
      second?.answer(numbersFirst ? others : { values: new Float64Array([Number.NaN, -0, 0.25]) });
      const result = await call;
      expect(Array.isArray(result)).toBe(true);
      expect(result).toHaveLength(6);
      expect(Object.is(result[0], -0)).toBe(true);
      expect(result[1]).toBeNaN();
      expect(result[2]).toBe(2 ** 53 + 2);
      if (numbersFirst) expect(result.slice(3)).toEqual(['x', undefined, 0.5]);
      else expect(result.slice(3)).toEqual([Number.NaN, -0, 0.25]);
      for (let i = 0; i < 6; i++) expect(i in result).toBe(true);
    }
  });

  it('a single chunk of packed numbers resolves as a real Array of those numbers', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const call = pool.map((x: number) => x, [1, 2, 3], { chunksize: 3 });
    await settle();
    backend.handed[0]?.answer({ values: new Float64Array([-0, 1.5, Number.NaN]) });
    const result = await call;
    expect(Array.isArray(result)).toBe(true);
    expect(result).toEqual([-0, 1.5, Number.NaN]);
    expect(Object.is(result[0], -0)).toBe(true);
  });
});

describe('item errors', () => {
  it("a result that could not be sent back fails the map with a CloneError naming the item's index", async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const call = pool.map((x: number) => x, [10, 11, 12, 13], { chunksize: 2 });
    await settle();
    await backend.handed[0]?.complete();
    await settle();
    const error = serializeError(new CloneError('A result could not be copied between threads/processes'));
    backend.handed[1]?.answer({ values: [12, undefined], failures: [{ index: 1, error }] });
    const failure = (await call.catch((e: unknown) => e)) as Error;
    expect(failure).toBeInstanceOf(CloneError);
    expect(failure.message).toBe('map item 3: A result could not be copied between threads/processes');
  });
});

describe('applyAsync batching', () => {
  it('calls made in one tick travel as a few chunked jobs, and each settles its own result', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const results = Array.from({ length: 16 }, (_, i) => pool.applyAsync(add, [i, 1]));
    await settle();
    expect(backend.handed.length).toBeLessThan(16);
    for (;;) {
      const open = backend.onBackend;
      if (open.length === 0) break;
      for (const h of open) await h.complete();
      await settle();
    }
    expect(await Promise.all(results.map((r) => r.get()))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(backend.itemsRun).toBe(16);
  });

  it('calls to different tasks in one tick travel in runs of one task each; every call gets its own answer', async () => {
    const pool = createPool({ processes: 2 });
    const negate = (n: number) => -n;
    const calls = Array.from({ length: 60 }, (_, i) =>
      Math.floor(i / 7) % 3 === 0 ? 'square' : Math.floor(i / 7) % 3 === 1 ? 'add' : 'negate',
    );
    const results = calls.map((kind, i) =>
      kind === 'square'
        ? pool.applyAsync(square, [i])
        : kind === 'add'
          ? pool.applyAsync(add, [i, 100])
          : pool.applyAsync(negate, [i]),
    );
    const expected = calls.map((kind, i) => (kind === 'square' ? i * i : kind === 'add' ? i + 100 : -i));
    expect(await Promise.all(results.map((r) => r.get()))).toEqual(expected);
    await pool.terminate();
  });

  it('one failing call in a batch fails alone', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const inputs = [1, -2, 3, 4, 5, 6, 7, 8];
    const results = inputs.map((n) => pool.applyAsync(failIfNegative, [n]));
    await settle();
    expect(backend.handed[0]?.job.items).toEqual([[1], [-2]]); // Python's rule: ceil(8 / 4) calls per job
    await completeAll(backend);
    const outcomes = await Promise.allSettled(results.map((r) => r.get()));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      1,
      'negative: -2',
      3,
      4,
      5,
      6,
      7,
      8,
    ]);
    expect(backend.itemsRun).toBe(8);
  });

  it('a batch job refused for a clone error is re-sent call by call: only the culprit fails, no call runs twice', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const results = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => pool.applyAsync(square, [n]));
    await settle();
    expect(backend.handed[0]?.job.items).toEqual([[1], [2]]);
    backend.handed[0]?.fail(new CloneError('An argument could not be copied'));
    // The backend refuses call 2 again when it comes alone; everything else runs.
    for (;;) {
      await settle();
      const open = backend.onBackend;
      if (open.length === 0) break;
      for (const h of open) {
        if (JSON.stringify(h.job.items) === '[[2]]') h.fail(new CloneError('An argument could not be copied'));
        else await h.complete();
      }
    }
    expect(backend.handed.map((h) => JSON.stringify(h.job.items))).toEqual(
      expect.arrayContaining(['[[1],[2]]', '[[1]]', '[[2]]']),
    );
    const outcomes = await Promise.allSettled(results.map((r) => r.get()));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', ...Array(6).fill('fulfilled')]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(CloneError);
    expect(backend.itemsRun).toBe(7); // every call ran once, but the one that could not be sent
  });

  it('terminate() before the batch is sent rejects its calls; the backend never sees them', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const result = pool.applyAsync(square, [2]);
    const stopped = pool.terminate();
    await expect(result.get()).rejects.toBeInstanceOf(PoolTerminatedError);
    await stopped;
    await settle();
    expect(backend.handed).toHaveLength(0);
  });
});

describe('imap', () => {
  it('concurrent next() calls settle in order', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const it = pool.imap(square, [1, 2, 3]);
    const steps = Promise.all([it.next(), it.next(), it.next(), it.next()]);
    await settle();
    for (;;) {
      const open = backend.onBackend;
      if (open.length === 0) break;
      for (const h of open.reverse()) await h.complete();
      await settle();
    }
    expect(await steps).toEqual([
      { value: 1, done: false },
      { value: 4, done: false },
      { value: 9, done: false },
      { value: undefined, done: true },
    ]);
  });

  it('imapUnordered answers concurrent next() calls in completion order', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const it = pool.imapUnordered(square, [1, 2]);
    const steps = Promise.all([it.next(), it.next(), it.next()]);
    await settle();
    await backend.handed[1]?.complete();
    await settle();
    await backend.handed[0]?.complete();
    expect(await steps).toEqual([
      { value: 4, done: false },
      { value: 1, done: false },
      { value: undefined, done: true },
    ]);
  });

  it('break drops the chunks not started, lets running ones finish unstopped, and ends the call', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const it = pool.imap(square, [1, 2, 3, 4]);
    const first = it.next();
    await settle();
    await backend.handed[0]?.complete();
    expect((await first).value).toBe(1);
    await settle();
    const running = backend.handed[1];
    await it.return?.();
    expect(running?.control.cancelled).toBe(true);
    expect(running?.control.stopRequested).toBe(false);
    await running?.complete();
    await settle();
    expect(backend.handed).toHaveLength(2);
    pool.close();
    await pool.join(); // nothing left open
  });

  it('after close() an open imap reads its input only at its consumer pace, and join() waits for it', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    let pulled = 0;
    function* naturals() {
      for (let i = 0; ; i++) {
        pulled++;
        yield i;
      }
    }
    const it = pool.imap(square, naturals());
    const first = it.next();
    await settle();
    pool.close();
    const joined = pool.join();
    await backend.handed[0]?.complete();
    expect((await first).value).toBe(0);
    await settle();
    const pulledNow = pulled;
    await settle();
    expect(pulled).toBe(pulledNow);
    expect(pulled).toBeLessThanOrEqual(3);
    expect(await isSettled(joined)).toBe(false);
    await it.return?.();
    for (const h of backend.onBackend) await h.complete();
    await joined;
    expect(backend.closed).toBe(true);
  });

  it('a failure inside a chunk yields the values before it, then throws, then ends; later chunks never start', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const it = pool.imap(failIfNegative, [1, -2, 3, 4, 5], { chunksize: 2 });
    const a = it.next();
    await settle();
    await backend.handed[0]?.complete();
    expect(await a).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toThrow('negative: -2');
    expect(await it.next()).toEqual({ value: undefined, done: true });
    await settle();
    const started = backend.handed.length;
    for (const h of backend.onBackend) await h.complete();
    await settle();
    expect(backend.handed).toHaveLength(started);
  });

  it('for...of without await is refused with a TypeError that says to use for await', () => {
    const { pool } = fakePool();
    const it = pool.imap(square, [1]) as unknown as Iterable<number>;
    expect(() => {
      for (const _ of it) break;
    }).toThrow(/for await/);
    void pool.terminate();
  });
});

describe("imap chunksize: 'auto'", () => {
  it('starts with one item per job and grows the chunks while each costs more to move than to run', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const items = Array.from({ length: 200 }, (_, i) => i);
    const collected: number[] = [];
    const consume = (async () => {
      for await (const value of pool.imap(square, items, { chunksize: 'auto' })) collected.push(value);
    })();
    await completeAll(backend);
    await consume;
    expect(collected).toEqual(items.map(square));
    const sizes = backend.handed.map((h) => h.job.items.length);
    expect(sizes[0]).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(backend.handed.length).toBeLessThan(200);
  });
});

describe("map and starmap chunksize: 'auto'", () => {
  it('starts with one item per job and grows the chunks, as on imap; results keep input order', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const items = Array.from({ length: 200 }, (_, i) => i);
    const mapped = pool.map(square, items, { chunksize: 'auto' });
    await completeAll(backend);
    expect(await mapped).toEqual(items.map(square));
    const sizes = backend.handed.map((h) => h.job.items.length);
    expect(sizes[0]).toBe(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(backend.handed.length).toBeLessThan(200);
  });

  it('starmap spreads each argument list, its chunks starting at one and growing', async () => {
    const { pool, backend } = fakePool({ processes: 2 });
    const mapped = pool.starmap(
      add,
      Array.from({ length: 50 }, (_, i) => [i, 1] as [number, number]),
      {
        chunksize: 'auto',
      },
    );
    await settle();
    expect(backend.handed.map((h) => h.job.items.length)).toEqual([1, 1]);
    await completeAll(backend);
    expect(Math.max(...backend.handed.map((h) => h.job.items.length))).toBeGreaterThan(1);
    expect(await mapped).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("a failing item fails the call with the task's error (fail fast)", async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const mapped = pool.map(failIfNegative, [1, 2, 3, -4, 5, 6], { chunksize: 'auto' });
    const outcome = mapped.catch((error: Error) => error);
    await completeAll(backend);
    const error = (await outcome) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('negative: -4');
  });

  it("a chunksize that is neither an integer ≥ 1 nor 'auto' is refused with a RangeError naming both", async () => {
    const { pool } = fakePool();
    await expect(pool.map(square, [1], { chunksize: 0 })).rejects.toThrow(
      "chunksize must be an integer ≥ 1 or 'auto' (got 0)",
    );
  });
});

describe('terminate', () => {
  it('rejects every unfinished call with PoolTerminatedError and asks running jobs to stop', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const mapped = pool.map(square, [1, 2], { chunksize: 1 });
    const applied = pool.applyAsync(square, [3]);
    const it = pool.imap(square, [4]);
    const next = it.next();
    await settle();
    const running = backend.handed[0];
    await pool.terminate();
    for (const pending of [mapped, applied.get(), next]) {
      await expect(pending).rejects.toBeInstanceOf(PoolTerminatedError);
    }
    expect(running?.control.stopRequested).toBe(true);
    expect(backend.terminated).toBe(true);
    expect(backend.handed).toHaveLength(1);
  });

  it('terminate() during join() ends the join', async () => {
    const { pool, backend } = fakePool({ processes: 1 });
    const mapped = pool.map(square, [1], { chunksize: 1 }).catch((e: unknown) => e);
    pool.close();
    const joined = pool.join();
    await settle();
    expect(await isSettled(joined)).toBe(false);
    await pool.terminate();
    expect(await mapped).toBeInstanceOf(PoolTerminatedError);
    expect(backend.terminated).toBe(true);
    await joined;
  });
});

describe('options', () => {
  it('createPool(null) and other non-objects are a TypeError that says what to pass', () => {
    for (const bad of [null, 5, 'x', []]) {
      expect(() => new BasePool(bad as never, (o) => new FakeBackend(o))).toThrow(TypeError);
      expect(() => new BasePool(bad as never, (o) => new FakeBackend(o))).toThrow(/Pool options must be an object/);
    }
  });

  it('a processes value of the wrong type names the type it got', () => {
    expect(() => fakePool({ processes: '2' as unknown as number })).toThrow(/got the string "2"/);
    expect(() => fakePool({ processes: 2.5 })).toThrow(/got number 2.5/);
  });
});
