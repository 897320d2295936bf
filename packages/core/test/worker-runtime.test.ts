import { describe, expect, it } from 'vitest';
import { outerReference, WorkerRuntime } from '../src/worker/runtime.js';

const inline = (fn: (...args: never[]) => unknown) => ({ kind: 'inline' as const, source: fn.toString() });

describe('the worker runtime', () => {
  it('runs sync items in order and reports per-item failures', async () => {
    const runtime = new WorkerRuntime();
    const result = await runtime.runJob({
      task: inline((n: number) => {
        if (n === 2) throw new Error('two');
        return n * 10;
      }),
      items: [1, 2, 3],
      spread: false,
    });
    expect(result.values).toEqual([10, undefined, 30]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures?.[0]?.index).toBe(1);
    expect(result.failures?.[0]?.error.message).toBe('two');
  });

  it('spreads argument lists', async () => {
    const runtime = new WorkerRuntime();
    const result = await runtime.runJob({
      task: inline((a: number, b: number) => a - b),
      items: [[5, 3]],
      spread: true,
    });
    expect(result.values).toEqual([2]);
  });

  it('compiles method-shorthand sources too', async () => {
    const holder = {
      triple(n: number) {
        return n * 3;
      },
    };
    const result = await new WorkerRuntime().runJob({ task: inline(holder.triple), items: [2], spread: false });
    expect(result.values).toEqual([6]);
  });

  it('reports a task module that cannot be loaded, naming it', async () => {
    const result = await new WorkerRuntime().runJob({
      task: { kind: 'module', module: 'file:///nowhere/missing-tasks.js', name: 'x' },
      items: [1],
      spread: false,
    });
    expect(result.failures?.[0]?.error.name).toBe('TaskResolutionError');
    expect(result.failures?.[0]?.error.message).toContain('missing-tasks.js');
  });

  it('fails every call of a task module that threw at import after defineTasks, with the import error', async () => {
    const runtime = new WorkerRuntime();
    const job = {
      task: {
        kind: 'module' as const,
        module: new URL('./fixtures/half-initialised.js', import.meta.url).href,
        name: 'answer',
      },
      items: [[]],
      spread: true,
    };
    for (let call = 0; call < 3; call++) {
      const result = await runtime.runJob(job);
      expect(result.values).toEqual([undefined]);
      expect(result.failures?.[0]?.error.name).toBe('TaskResolutionError');
      expect(result.failures?.[0]?.error.message).toMatch(/half-initialised\.js.*failed after defineTasks/);
    }
    // Another worker of the same thread (the inline backend's) is refused too.
    expect((await new WorkerRuntime().runJob(job)).failures?.[0]?.error.name).toBe('TaskResolutionError');
  });

  it('fails only the item whose result cannot be copied, saying which getter threw', async () => {
    const result = await new WorkerRuntime().runJob({
      task: inline((i: number) => {
        if (i === 1) return () => i;
        if (i !== 2) return i;
        return Object.defineProperty({}, 'bad', {
          enumerable: true,
          get() {
            throw new Error('getter exploded');
          },
        });
      }),
      items: [0, 1, 2, 3],
      spread: false,
    });
    expect(result.values).toEqual([0, undefined, undefined, 3]);
    expect(result.failures?.map((f) => [f.index, f.error.name])).toEqual([
      [1, 'CloneError'],
      [2, 'CloneError'],
    ]);
    expect(result.failures?.[1]?.error.message).toMatch(/property 'bad' threw Error: getter exploded/);
  });

  it('reports an error with a getter that throws as that error, the getter replaced by a marker', async () => {
    const result = await new WorkerRuntime().runJob({
      task: inline(() => {
        const error = new Error('with a bad getter');
        Object.defineProperty(error, 'bad', {
          enumerable: true,
          get() {
            throw new Error('getter exploded');
          },
        });
        throw error;
      }),
      items: [0],
      spread: false,
    });
    const error = result.failures?.[0]?.error;
    expect(error?.message).toBe('with a bad getter');
    expect(error?.props?.bad).toMatch(/unreadable.*getter exploded/);
  });

  it('runs the initializer once, before the first job', async () => {
    const runtime = new WorkerRuntime();
    const g = globalThis as { __initRuns?: number };
    g.__initRuns = 0;
    const initializer = {
      task: inline(() => {
        (globalThis as { __initRuns?: number }).__initRuns! += 1;
      }),
      args: [],
    };
    const job = {
      task: inline(() => (globalThis as { __initRuns?: number }).__initRuns),
      items: [0],
      spread: false,
      initializer,
    };
    expect((await runtime.runJob(job)).values).toEqual([1]);
    expect((await runtime.runJob(job)).values).toEqual([1]);
  });
});

describe('results on the wire', () => {
  it('sends many numeric tuples as columns, and the core unpacks them into arrays', async () => {
    const { isPackedTuples, unpackTuples } = await import('../src/wire/packing.js');
    const runtime = new WorkerRuntime();
    const items = Array.from({ length: 100 }, (_, i) => i);
    const result = await runtime.runJob({ task: inline((i: number) => [i, i * 2]), items, spread: false });
    expect(isPackedTuples(result.values)).toBe(true);
    if (!isPackedTuples(result.values)) return;
    expect(unpackTuples(result.values)).toEqual(items.map((i) => [i, i * 2]));
  });

  it('leaves tuples of other lengths or types as they are', async () => {
    const runtime = new WorkerRuntime();
    const items = Array.from({ length: 100 }, (_, i) => i);
    const mixed = await runtime.runJob({
      task: inline((i: number) => (i === 50 ? [i] : [i, i])),
      items,
      spread: false,
    });
    expect(Array.isArray(mixed.values)).toBe(true);
    const text = await runtime.runJob({ task: inline((i: number) => [i, String(i)]), items, spread: false });
    expect(Array.isArray(text.values)).toBe(true);
  });
});

describe('inline functions that use an outer name', () => {
  const failure = async (fn: (...args: never[]) => unknown) => {
    const result = await new WorkerRuntime().runJob({ task: inline(fn), items: [2], spread: false });
    return result.failures?.[0]?.error;
  };

  it('that wrap a task handle are told to pass the handle itself, not to pass it as an argument', async () => {
    const tasks = { square: (n: number) => n * n };
    const error = await failure((n: number) => tasks.square(n));
    expect(error?.name).toBe('InlineTaskError');
    expect(error?.message).toContain("'tasks'");
    expect(error?.message).toContain('pool.map(tasks.square, xs)');
    expect(error?.message).not.toMatch(/pass 'tasks' as an argument/);
  });

  it('that call an outer function are told to use a task module', async () => {
    const helper = (n: number) => n + 1;
    const error = await failure((n: number) => helper(n));
    expect(error?.message).toContain("'helper'");
    expect(error?.message).toMatch(/task module/);
    expect(error?.message).toMatch(/Functions cannot be passed as arguments/);
  });

  it('that read an outer value are told to pass it as an argument', async () => {
    const factor = 3;
    const error = await failure((n: number) => n * factor);
    expect(error?.message).toContain("pass 'factor' as an argument");
  });

  it("name the import, not the test runner's rewrite of it", () => {
    expect(outerReference('(n) => __vi_import_0__.tasks.square(n)', '__vi_import_0__')).toEqual({
      name: 'tasks',
      usage: 'handles',
      member: 'tasks.square',
    });
    expect(outerReference('(n) => (0, __vite_ssr_import_1__.helper)(n)', '__vite_ssr_import_1__')).toEqual({
      name: 'helper',
      usage: 'function',
    });
    expect(outerReference('(n) => n * config.factor', 'config')).toEqual({ name: 'config', usage: 'value' });
    expect(outerReference('(n) => tasks', 'tasks')).toEqual({ name: 'tasks', usage: 'handles' });
  });
});
