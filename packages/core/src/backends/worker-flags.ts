import nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
 * worker thread or process should start with: every flag but the parent-only
 * ones. Adapters pass it as their library's `execArgv` unless the user gave one.
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
