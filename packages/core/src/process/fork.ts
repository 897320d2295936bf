import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerProcessEnv } from '../backends/worker-flags.js';

/** How worker processes are started: passed to `child_process.fork`. */
export interface ChildProcessOptions {
  /**
   * Node flags for each worker. Default `[]`, not the parent's `process.execArgv`
   * (fork's default): a parent running under a test runner, a loader or an
   * inspector would hand those flags to every worker.
   */
  readonly execArgv?: readonly string[];
  /** Environment of each worker. Default: `process.env`. Node's compile cache is turned on in it unless it says otherwise (`NODE_COMPILE_CACHE`, `NODE_DISABLE_COMPILE_CACHE`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory of each worker. Default: the parent's. */
  readonly cwd?: string | URL;
  /**
   * IPC encoding. Default `'advanced'` (structured clone: Map, Set, Date, BigInt,
   * typed arrays survive). `'json'` is plain JSON.
   */
  readonly serialization?: 'advanced' | 'json';
}

/**
 * The worker process's entry: core's channel worker over IPC (`src/process-worker.ts`, built next to
 * the chunk this code is bundled into, in `dist/`).
 */
const WORKER_ENTRY = fileURLToPath(new URL('./process-worker.js', import.meta.url));

/** Checks the `childProcess` options once, where the pool is created. */
export function checkChildProcessOptions(options: ChildProcessOptions | undefined): ChildProcessOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new TypeError('childProcess options must be an object');
  if (o.execArgv !== undefined && (!Array.isArray(o.execArgv) || o.execArgv.some((a) => typeof a !== 'string'))) {
    throw new TypeError('childProcess.execArgv must be an array of strings, e.g. ["--max-old-space-size=512"]');
  }
  if (o.serialization !== undefined && o.serialization !== 'advanced' && o.serialization !== 'json') {
    throw new TypeError(`childProcess.serialization must be 'advanced' or 'json' (got ${String(o.serialization)})`);
  }
  return o;
}

/** Forks one worker process running core's channel worker (a pool's worker, or one `Process`). */
export function forkWorker(options: ChildProcessOptions): ChildProcess {
  return fork(WORKER_ENTRY, [], {
    execArgv: [...(options.execArgv ?? [])],
    env: workerProcessEnv(options.env ?? process.env),
    cwd: options.cwd,
    serialization: options.serialization ?? 'advanced',
  });
}
