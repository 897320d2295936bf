// Type tests: checked by `pnpm typecheck` (tsc). Each @ts-expect-error line must stay an error.
import { expectTypeOf } from 'vitest';
import { type AsyncResult, createPool, defineTasks } from '../src/index.js';

const tasks = defineTasks(import.meta.url, {
  square: (n: number) => n * n,
  add: (a: number, b: number) => a + b,
  greet: async (name: string) => `hello ${name}`,
  none: () => 1,
});
const pool = createPool({ processes: 1 });

// Results flow from the task.
expectTypeOf(pool.map(tasks.square, [1, 2])).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(pool.map(tasks.greet, ['a'])).toEqualTypeOf<Promise<string[]>>();
expectTypeOf(pool.starmap(tasks.add, [[1, 2]])).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(pool.apply(tasks.add, [1, 2])).toEqualTypeOf<Promise<number>>();
expectTypeOf(pool.apply(tasks.none)).toEqualTypeOf<Promise<number>>();
expectTypeOf(pool.applyAsync(tasks.greet, ['x'])).toEqualTypeOf<AsyncResult<string>>();
expectTypeOf(pool.mapAsync(tasks.square, [1])).toEqualTypeOf<AsyncResult<number[]>>();
expectTypeOf(pool.imap(tasks.greet, ['a'])).toEqualTypeOf<AsyncIterableIterator<string>>();
expectTypeOf(pool.imapUnordered(tasks.square, [1])).toEqualTypeOf<AsyncIterableIterator<number>>();
expectTypeOf(pool.map((n: number) => String(n), [1])).toEqualTypeOf<Promise<string[]>>();
// chunksize 'auto' on every call that takes a chunksize.
expectTypeOf(pool.map(tasks.square, [1], { chunksize: 'auto' })).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(pool.starmap(tasks.add, [[1, 2]], { chunksize: 'auto' })).toEqualTypeOf<Promise<number[]>>();
expectTypeOf(pool.mapAsync(tasks.square, [1], { chunksize: 'auto' })).toEqualTypeOf<AsyncResult<number[]>>();
expectTypeOf(pool.imap(tasks.square, [1], { chunksize: 'auto' })).toEqualTypeOf<AsyncIterableIterator<number>>();
expectTypeOf(tasks.square(3)).toEqualTypeOf<number>();
expectTypeOf(tasks.square.module).toEqualTypeOf<string>();

// Wrong arguments are compile errors.
// @ts-expect-error a string is not a number
pool.map(tasks.square, ['x']);
// @ts-expect-error map needs a one-argument task
pool.map(tasks.add, [1]);
// @ts-expect-error add takes two numbers
pool.apply(tasks.add, [1]);
// @ts-expect-error add needs its arguments
pool.apply(tasks.add);
// @ts-expect-error starmap argument lists are checked
pool.starmap(tasks.add, [[1, 'x']]);
// @ts-expect-error callbacks get the task's result type
pool.applyAsync(tasks.square, [1], { callback: (r: string) => r });
async function* strings() {
  yield 'x';
}
// @ts-expect-error imap items are checked, async inputs too
pool.imap(tasks.square, strings());
