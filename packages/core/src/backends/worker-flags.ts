import nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The Node flags a worker inherits from the program that started the pool:
 * all of them but those that only make sense for that program's own start
 * (what it runs and how: `--eval`, `--print`, `--input-type`, `--check`,
 * `--interactive`; the test runner's and the watch mode's flags). A worker
 * started with `--input-type` or `--eval` refuses to start at all ("--input-type
 * can only be used with string input via --eval"), and a worker under `--test`
 * or `--watch` would run the test files or restart on changes.
 */

/** Parent-only flags that take their value as the next argument when not written `--flag=value`. */
const WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '--input-type',
  '--watch-path',
  '--run',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-shard',
  '--test-concurrency',
  '--test-timeout',
  '--test-isolation',
  '--test-global-setup',
  '--test-coverage-include',
  '--test-coverage-exclude',
  '--test-coverage-branches',
  '--test-coverage-functions',
  '--test-coverage-lines',
]);

/** Parent-only flags without a value. */
const ALONE = new Set(['-c', '--check', '-i', '--interactive', '--watch', '--watch-preserve-output', '--test']);

function parentOnly(name: string): boolean {
  return (
    WITH_VALUE.has(name) || ALONE.has(name) || name.startsWith('--test-') || name.startsWith('--experimental-test-')
  );
}

/**
 * The flags of `parent` (default: this program's `process.execArgv`) that a
 * worker process should start with: every flag but the parent-only ones.
 * Adapters pass it as their library's `execArgv` for processes unless the user
 * gave one; for threads, {@link threadExecArgv}.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const flag = parent[i] as string;
    const equals = flag.indexOf('=');
    const name = equals === -1 ? flag : flag.slice(0, equals);
    if (!parentOnly(name)) {
      kept.push(flag);
      continue;
    }
    if (equals === -1 && WITH_VALUE.has(name)) i += 1; // its value follows
  }
  return kept;
}

let threadFlags: { readonly parent: readonly string[]; readonly flags: string[] | undefined } | undefined;

/**
 * The `execArgv` for a worker thread: `undefined` (Node's default: the thread
 * inherits the program's flags, V8's among them) unless the program has
 * parent-only flags to leave out. Then the other flags, less those Node refuses
 * in a thread's `execArgv` (V8's and per-process flags such as `--expose-gc`
 * or `--max-old-space-size`, which hold for the whole process anyway): Node
 * names those when it refuses them, so they are learnt once per program, at
 * the cost of one thread that is stopped at once.
 */
export function threadExecArgv(parent: readonly string[] = process.execArgv): string[] | undefined {
  if (threadFlags?.parent === parent) return threadFlags.flags;
  let flags: string[] | undefined = workerExecArgv(parent);
  if (flags.length === parent.length) flags = undefined;
  else flags = withoutRefused(flags);
  threadFlags = { parent, flags };
  return flags;
}

function withoutRefused(flags: string[]): string[] {
  if (flags.length === 0) return flags;
  try {
    const probe = new Worker('', { eval: true, execArgv: flags, stdout: true, stderr: true });
    probe.unref();
    void probe.terminate();
    return flags;
  } catch (error) {
    const refused = /flags: (.*)$/.exec((error as Error).message)?.[1]?.split(', ');
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !refused) return [];
    return flags.filter((flag) => !refused.includes(flag));
  }
}

/**
 * The environment for a worker process: `env` with Node's on-disk compile
 * cache turned on (`NODE_COMPILE_CACHE`, Node ≥ 22.1), so a new worker reads
 * the compiled code of core, its adapter and the task modules instead of
 * compiling them again: a worker process's first result comes sooner.
 * Left as is where the user set `NODE_COMPILE_CACHE` or
 * `NODE_DISABLE_COMPILE_CACHE`, and on runtimes without the cache.
 */
export function workerProcessEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!hasCompileCache || env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined) {
    return env;
  }
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'parapool-compile-cache') };
}

const hasCompileCache =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function' &&
  !('Bun' in globalThis) &&
  !('Deno' in globalThis);
