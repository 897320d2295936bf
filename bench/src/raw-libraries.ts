/**
 * The raw-library references: piscina, tinypool and threads.js driven directly,
 * without parapool, the way their READMEs show — one call per item, or one call
 * per hand-made chunk. They tell what chunking buys and what an adapter costs.
 */
import type { UnaryWorkName } from './work.js';

/** Per item (`run(item)` for each item) or per chunk of this many items. */
export type RawMode = 'item' | number;

/** A raw library's pool, reduced to what the workloads need. */
export interface RawPool {
  /** One call of a worker function. */
  run(name: UnaryWorkName, arg: unknown): Promise<unknown>;
  /** Every item through `name`, one call per item or per chunk; results in input order. */
  map(name: UnaryWorkName, items: readonly unknown[], mode: RawMode): Promise<unknown[]>;
  /** Stops the workers. */
  destroy(): Promise<void>;
}

/** A raw library the bench can drive. */
export interface RawLibrary {
  /** Subject name in tables and JSON, e.g. 'piscina (raw)'. */
  readonly name: string;
  /** The npm package it drives. */
  readonly library: 'piscina' | 'tinypool' | 'threads';
  create(processes: number): Promise<RawPool>;
}

const namedExportsWorker = new URL('./raw/named-exports-worker.js', import.meta.url);
// threads.js resolves a worker path against its caller's directory (and mangles
// absolute paths), so this one is relative to this file's directory.
const threadsWorker = './raw/threads-worker.js';

/** Splits `items` into chunks of `size` (the last one shorter). */
export function toChunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Builds `map` from a single-call primitive. */
function mapWith(call: (name: string, arg: unknown) => Promise<unknown>): RawPool['map'] {
  return async (name, items, mode) => {
    if (mode === 'item') return Promise.all(items.map((item) => call(name, item)));
    const results = await Promise.all(toChunks(items, mode).map((chunk) => call(`${name}Chunk`, chunk)));
    return (results as unknown[][]).flat();
  };
}

const piscina: RawLibrary = {
  name: 'piscina (raw)',
  library: 'piscina',
  async create(processes) {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: namedExportsWorker.href, minThreads: processes, maxThreads: processes });
    const call = (name: string, arg: unknown) => pool.run(arg, { name }) as Promise<unknown>;
    return { run: call, map: mapWith(call), destroy: () => pool.destroy() };
  },
};

const tinypool: RawLibrary = {
  name: 'tinypool (raw)',
  library: 'tinypool',
  async create(processes) {
    const { Tinypool } = await import('tinypool');
    const pool = new Tinypool({ filename: namedExportsWorker.href, minThreads: processes, maxThreads: processes });
    const call = (name: string, arg: unknown) => pool.run(arg, { name }) as Promise<unknown>;
    return { run: call, map: mapWith(call), destroy: () => pool.destroy() };
  },
};

type ThreadsWorker = Record<string, (arg: unknown) => Promise<unknown>>;

const threads: RawLibrary = {
  name: 'threads (raw)',
  library: 'threads',
  async create(processes) {
    const { Pool, spawn, Worker } = await import('threads');
    const pool = Pool(() => spawn<ThreadsWorker>(new Worker(threadsWorker)), { size: processes });
    const call = (name: string, arg: unknown): Promise<unknown> =>
      Promise.resolve(pool.queue((worker) => (worker[name] as (a: unknown) => Promise<unknown>)(arg)));
    return { run: call, map: mapWith(call), destroy: () => pool.terminate() };
  },
};

/** Every raw library, by subject name. */
export const rawLibraries: readonly RawLibrary[] = [piscina, tinypool, threads];
