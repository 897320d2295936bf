/**
 * A host keeps one local backend per caller pool, made on that pool's first
 * chunk here: so the pool's initializer runs once in each local worker and
 * `maxtasksperchild` and `maxmemoryperchild` recycle them, and a task past
 * its timeout and `grace` loses its worker, as on one machine. It is terminated when
 * the caller's pool ends, when the caller goes silent, or after a while idle.
 */
import type { Backend } from '@parapool/core/adapter';
import type { LocalBackendFactory } from './local-backends.js';

interface LocalPool {
  readonly backend: Backend;
  running: number;
  lastUsed: number;
}

export class LocalPools {
  readonly #factory: LocalBackendFactory;
  readonly #concurrency: number;
  readonly #pools = new Map<string, LocalPool>();
  readonly #ending = new Set<Promise<void>>();

  constructor(factory: LocalBackendFactory, concurrency: number) {
    this.#factory = factory;
    this.#concurrency = concurrency;
  }

  /** The caller pools this host holds a local backend for. */
  ids(): string[] {
    return [...this.#pools.keys()];
  }

  /**
   * The local backend of `poolId`, made on first use with at most as many
   * workers as the caller pool has (and this host's concurrency).
   */
  acquire(
    poolId: string,
    processes: number,
    maxtasksperchild: number | undefined,
    terms: { maxmemoryperchild?: number | undefined; grace?: number | undefined } = {},
  ): Backend {
    let pool = this.#pools.get(poolId);
    if (!pool) {
      const size = Math.max(1, Math.min(this.#concurrency, processes));
      const backend = this.#factory({ processes: size, maxtasksperchild, ...terms });
      pool = { backend, running: 0, lastUsed: Date.now() };
      this.#pools.set(poolId, pool);
    }
    pool.running += 1;
    pool.lastUsed = Date.now();
    return pool.backend;
  }

  release(poolId: string): void {
    const pool = this.#pools.get(poolId);
    if (!pool) return;
    pool.running -= 1;
    pool.lastUsed = Date.now();
  }

  /** Terminates the local backend of `poolId` (its running chunks stop). */
  end(poolId: string): void {
    const pool = this.#pools.get(poolId);
    if (!pool) return;
    this.#pools.delete(poolId);
    const ending = pool.backend.terminate().catch(() => {});
    this.#ending.add(ending);
    void ending.finally(() => this.#ending.delete(ending));
  }

  /** Ends the local backends unused for `ms`. */
  endIdle(ms: number): void {
    const now = Date.now();
    for (const [id, pool] of this.#pools) if (pool.running === 0 && now - pool.lastUsed >= ms) this.end(id);
  }

  /** Ends every local backend; resolves once their workers have stopped. */
  async endAll(): Promise<void> {
    for (const id of this.ids()) this.end(id);
    await Promise.all([...this.#ending]);
  }
}
