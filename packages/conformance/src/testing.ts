/**
 * Helpers for a backend's own tests (beyond the shared suite): pools and
 * temporary directories cleaned up after each test, rejections, polling, a
 * barrier that proves how many workers run at once, and a free port for a
 * server the test starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from '@parapool/core';
import { afterAll, afterEach } from 'vitest';
import { tasks } from './tasks.js';

export { rejectionOf, seededRandom, until } from './context.js';

/** A TCP port free on 127.0.0.1 now (the OS's pick), for a server a test starts there. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Pools terminated after each test and temporary directories removed after the
 * file, for a test file of one backend.
 *
 * @example
 * const { pool, tempDir } = useTestPools(createPool, 'piscina');
 * it('...', async () => { const p = pool({ processes: 2 }); ... });
 */
export function useTestPools<O>(
  create: (options: O) => Pool,
  prefix: string,
): {
  /** A pool made with `create(options)`, terminated after the test. */
  pool(options: O): Pool;
  /** A new temporary folder, removed after the tests. */
  tempDir(): string;
} {
  const pools: Pool[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.allSettled(pools.splice(0).map((pool) => pool.terminate()));
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    pool(options) {
      const created = create(options);
      pools.push(created);
      return created;
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), `parapool-${prefix}-`));
      dirs.push(dir);
      return dir;
    },
  };
}

/**
 * True if `n` workers of `pool` can run at once: a barrier across all of them
 * (rendezvous through files under `dir`) passes within 10 s.
 */
export async function fullSize(pool: Pool, n: number, dir: string): Promise<boolean> {
  const all = await pool.starmap(
    tasks.barrier,
    Array.from({ length: n }, () => [dir, n, 10_000] as [string, number, number]),
    { chunksize: 1 },
  );
  return all.every(Boolean);
}
