import { rejectionOf, tasks, useTestPools } from '@parapool/conformance';
import { describe, expect, it } from 'vitest';
import { createPool, type PiscinaPoolOptions, WorkerCrashedError } from '../dist/index.js';

const { pool } = useTestPools((options: PiscinaPoolOptions) => createPool(options), 'piscina');

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
});

describe('a worker that dies mid-job', () => {
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
