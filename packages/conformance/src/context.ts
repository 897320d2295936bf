import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendCapabilities, Pool, PoolOptions } from '@parapool/core';
import { afterAll, afterEach } from 'vitest';

/** Builds a pool of the backend under test. */
export type PoolFactory = (options: PoolOptions) => Pool;

/** What every feature of the suite gets. */
export interface SuiteContext {
  /** The backend's name, in test titles and temporary folders. */
  readonly name: string;
  /** What the backend declares it can do: the only switch the suite reads. */
  readonly capabilities: BackendCapabilities;
  /** A pool of 2 workers shared by the tests of one feature; never closed by them. */
  shared(): Pool;
  /** A new pool that the test may close or terminate; terminated after the test anyway. */
  fresh(options?: PoolOptions): Pool;
  /** A new empty temporary directory, removed after the suite. */
  tempDir(): string;
}

/** Number of workers the suite's pools use, unless a test says otherwise. */
export const PROCESSES = 2;

export function createContext(
  name: string,
  factory: PoolFactory,
  probe: Pool = factory({ processes: 1 }),
): SuiteContext {
  // One probe pool tells the suite what the backend declares; it is stopped at once.
  const capabilities = probe.capabilities;
  probe.terminate().catch(() => {});

  let shared: Pool | undefined;
  const fresh: Pool[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    const pools = fresh.splice(0);
    await Promise.allSettled(pools.map((pool) => pool.terminate()));
  });
  afterAll(async () => {
    if (shared) await shared.terminate();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  return {
    name,
    capabilities,
    shared() {
      shared ??= factory({ processes: PROCESSES });
      return shared;
    },
    fresh(options = {}) {
      const pool = factory({ processes: PROCESSES, ...options });
      fresh.push(pool);
      return pool;
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'parapool-conformance-'));
      dirs.push(dir);
      return dir;
    },
  };
}

/** A small seeded PRNG (mulberry32), so random inputs replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error as Error;
  }
}

/** Waits until `check()` is true, polling; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
