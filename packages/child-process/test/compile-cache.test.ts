import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../dist/index.js';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

const cacheOf = () => ({
  cache: process.env.NODE_COMPILE_CACHE,
  // Node ≥ 22.1 reports where it caches once the cache is on.
  active: (process as unknown as { getBuiltinModule?: (id: string) => { getCompileCacheDir?: () => unknown } })
    .getBuiltinModule?.('node:module')
    ?.getCompileCacheDir?.(),
});

describe("worker processes start with Node's compile cache", () => {
  it('on, in a folder of the temporary directory, when the environment says nothing of it', async () => {
    const pool = createPool({ processes: 1 });
    pools.push(pool);
    const seen = await pool.apply(cacheOf);
    expect(seen.cache).toMatch(/parapool-compile-cache$/);
    expect(seen.active).toEqual(expect.stringContaining('parapool-compile-cache'));
  });

  it("left off where the user's environment turns it off", async () => {
    const pool = createPool({
      processes: 1,
      childProcess: { env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } },
    });
    pools.push(pool);
    const seen = await pool.apply(cacheOf);
    expect(seen).toEqual({ cache: undefined, active: undefined });
  });
});
