import { tasks, useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import { createPool, type WorkerThreadsPoolOptions } from '../dist/index.js';

const { pool } = useTestPools((options: WorkerThreadsPoolOptions) => createPool(options), 'worker-threads');

describe('the hand-over', () => {
  it('many tasks and inline functions over one worker: each call runs its own task (tasks travel once, then by number)', async () => {
    const p = pool({ processes: 1 });
    const calls = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? p.apply(tasks.square, [i])
        : i % 3 === 1
          ? p.apply(tasks.add, [i, 1000])
          : p.apply((n: number) => -n, [i]),
    );
    const expected = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? i * i : i % 3 === 1 ? i + 1000 : -i));
    expect(await Promise.all(calls)).toEqual(expected);
  });

  it('a replacement worker learns the tasks anew', async () => {
    const p = pool({ processes: 1, maxtasksperchild: 1 });
    for (let i = 0; i < 4; i++) expect(await p.apply(tasks.square, [i])).toBe(i * i);
    expect(p.insights().replacements.recycle).toBeGreaterThanOrEqual(3);
  });
});
