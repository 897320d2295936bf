/**
 * The raw-library references: piscina, tinypool, threads.js, workerpool and poolifier
 * driven directly, without parapool, the way their READMEs show, and a bare
 * `child_process.fork` pool for the child-process backend (which uses no pool
 * library). One call per item, or one call per hand-made chunk: they tell what
 * chunking buys and what an adapter costs.
 */
import { fileURLToPath } from 'node:url';
import type { BackendName } from './ids.js';
import { forkPool } from './raw/fork-pool.js';
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
  /** The column's id, e.g. 'piscina-raw'. */
  readonly id: `${BackendName}-raw`;
  /** How tables name it, e.g. 'piscina (raw)'. */
  readonly label: string;
  /** The parapool backend built on it. */
  readonly backend: BackendName;
  /** Its workers are OS processes. */
  readonly separateProcesses: boolean;
  create(processes: number): Promise<RawPool>;
}

const namedExportsWorker = new URL('./raw/named-exports-worker.js', import.meta.url);
const workerpoolWorker = new URL('./raw/workerpool-worker.js', import.meta.url);
const poolifierWorker = new URL('./raw/poolifier-worker.js', import.meta.url);
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
export function mapWith(call: (name: string, arg: unknown) => Promise<unknown>): RawPool['map'] {
  return async (name, items, mode) => {
    if (mode === 'item') return Promise.all(items.map((item) => call(name, item)));
    const results = await Promise.all(toChunks(items, mode).map((chunk) => call(`${name}Chunk`, chunk)));
    return (results as unknown[][]).flat();
  };
}

const piscina = {
  id: 'piscina-raw',
  label: 'piscina (raw)',
  backend: 'piscina',
  separateProcesses: false,
  async create(processes) {
    const { Piscina } = await import('piscina');
    const pool = new Piscina({ filename: namedExportsWorker.href, minThreads: processes, maxThreads: processes });
    const call = (name: string, arg: unknown) => pool.run(arg, { name }) as Promise<unknown>;
    return { run: call, map: mapWith(call), destroy: () => pool.destroy() };
  },
} as const satisfies RawLibrary;

const tinypool = {
  id: 'tinypool-raw',
  label: 'tinypool (raw)',
  backend: 'tinypool',
  separateProcesses: false,
  async create(processes) {
    const { Tinypool } = await import('tinypool');
    const pool = new Tinypool({ filename: namedExportsWorker.href, minThreads: processes, maxThreads: processes });
    const call = (name: string, arg: unknown) => pool.run(arg, { name }) as Promise<unknown>;
    return { run: call, map: mapWith(call), destroy: () => pool.destroy() };
  },
} as const satisfies RawLibrary;

type ThreadsWorker = Record<string, (arg: unknown) => Promise<unknown>>;

const threads = {
  id: 'threads-raw',
  label: 'threads (raw)',
  backend: 'threads',
  separateProcesses: false,
  async create(processes) {
    const { Pool, spawn, Worker } = await import('threads');
    // threads.js gives a worker 10 s to start; a 2-core machine busy with other jobs can take longer
    // (it did, once, in a full run), and a reference that fails for load reasons tells nothing.
    const pool = Pool(() => spawn<ThreadsWorker>(new Worker(threadsWorker), { timeout: 60_000 }), { size: processes });
    const call = (name: string, arg: unknown): Promise<unknown> =>
      Promise.resolve(pool.queue((worker) => (worker[name] as (a: unknown) => Promise<unknown>)(arg)));
    return { run: call, map: mapWith(call), destroy: () => pool.terminate() };
  },
} as const satisfies RawLibrary;

const workerpool = {
  id: 'workerpool-raw',
  label: 'workerpool (raw)',
  backend: 'workerpool',
  separateProcesses: false,
  async create(processes) {
    const { default: library } = await import('workerpool');
    const pool = library.pool(fileURLToPath(workerpoolWorker), {
      minWorkers: processes,
      maxWorkers: processes,
      workerType: 'thread',
    });
    const call = (name: string, arg: unknown): Promise<unknown> => Promise.resolve(pool.exec(name, [arg]));
    return { run: call, map: mapWith(call), destroy: () => pool.terminate().then(() => undefined) };
  },
} as const satisfies RawLibrary;

const poolifier = {
  id: 'poolifier-raw',
  label: 'poolifier (raw)',
  backend: 'poolifier',
  separateProcesses: false,
  async create(processes) {
    const { FixedThreadPool } = await import('poolifier');
    const pool = new FixedThreadPool(processes, fileURLToPath(poolifierWorker));
    const call = (name: string, arg: unknown): Promise<unknown> => pool.execute(arg, name);
    // poolifier 5.3's destroy() may not settle after its threads have exited (15 of 40 fresh pools of 2:
    // still pending 50 ms after both exits; one held a cold-start run for good): its end is their exits.
    const destroy = async () => {
      const exits = pool.workerNodes.map((node) => new Promise((exited) => node.worker.once('exit', exited)));
      void pool.destroy().catch(() => {});
      await Promise.all(exits);
    };
    return { run: call, map: mapWith(call), destroy };
  },
} as const satisfies RawLibrary;

const childProcess = {
  id: 'child-process-raw',
  label: 'fork (raw)',
  backend: 'child-process',
  separateProcesses: true,
  async create(processes) {
    const pool = await forkPool(processes);
    return { run: pool.call, map: mapWith(pool.call), destroy: pool.stop };
  },
} as const satisfies RawLibrary;

/** Every raw library, in the order of the tables. */
export const rawLibraries = [piscina, tinypool, threads, workerpool, poolifier, childProcess] as const;

/** One of the raw libraries above. */
export type KnownRawLibrary = (typeof rawLibraries)[number];
