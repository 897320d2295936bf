import { createRequire } from 'node:module';
import { UnsupportedRuntimeError, WorkerCrashedError } from '../errors.js';
import { currentRuntime, type RuntimeInfo } from '../runtime.js';
import type { BackendCapabilities, BackendOptions } from './backend.js';
import { SlotBackend } from './slot-backend.js';
import { crashError, type SlotWorker, type SpawnWorker, type WorkerTerms } from './worker-slots.js';

/**
 * A pool library, loaded on first use (synchronously, through `require`, so
 * `spawn` can use it at once): a task module that imports its adapter in a
 * worker (for `defineTasks`) then never loads the library there. For
 * libraries with a CommonJS entry.
 *
 * @example
 * ```ts
 * const piscina = lazyLibrary<typeof import('piscina')>(import.meta.url, 'piscina');
 * // in spawn: new (piscina().Piscina)({ ... })
 * ```
 */
export function lazyLibrary<T>(from: string, name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(from)(name) as T;
    return loaded;
  };
}

/** Called by a worker that dies on its own (see {@link watchWorker}). */
export type Crashed = (error: WorkerCrashedError) => void;

/**
 * What to use instead of a library option the adapter sets itself: the advice
 * every adapter gives, written once. An adapter's `owns` table maps its
 * library's option names to these (or to its own words, for options only it has).
 */
export const owned = {
  /** The worker script or file: the adapter runs its own worker entry. */
  workerScript: 'the adapter runs its own worker entry; name tasks with defineTasks',
  /** Pool sizes: the pool's `processes`. */
  poolSize: "use the pool's `processes` option",
  /** Queue limits and strategies: the core queues. */
  queue: 'the core queues the jobs',
  /** Tasks per worker at once: one job each. */
  concurrency: "each worker runs one job at a time (a chunk's async items already run concurrently)",
} as const;

/**
 * An adapter, as data: which library, under which option key, what it can do,
 * the library options it owns, and how to start one worker. {@link defineAdapter}
 * turns it into a Backend class; the core's WorkerSlots does the rest (one job
 * per worker, recycling, crash replacement, abort, the startup-failure guard).
 *
 * @typeParam O the library's options, as users pass them (the `optionsKey` key of `createPool`)
 * @typeParam R the options `spawn` gets, once `resolve` has checked and completed them
 */
export interface AdapterDefinition<O extends object, K extends string, R = O> {
  /** What `pool.backend` reports: `'piscina'`. */
  readonly name: string;
  /** The adapter's npm name, for error messages: `'@parapool/piscina'`. */
  readonly package: string;
  /** The key of `createPool` that takes the library's options: `createPool({ piscina: { ... } })`. */
  readonly optionsKey: K;
  /**
   * Library options the adapter sets itself, each with what to use instead
   * (mostly the {@link owned} advice). Passing one throws a TypeError that says so.
   */
  readonly owns?: Readonly<Record<string, string>>;
  /**
   * Checks and completes the library options once, when a pool is created
   * (throw a TypeError for bad ones). Default: used as given.
   */
  readonly resolve?: (options: O) => R;
  /**
   * What differs from a worker backend's defaults (`stopsRunningJobs` and
   * `isolatesCrashes` true; workers are threads of this process). May depend on
   * the resolved options; fixed once the backend is built. Declare only what is
   * true: the conformance suite checks each capability both ways.
   */
  readonly capabilities?: Partial<BackendCapabilities> | ((options: R) => Partial<BackendCapabilities>);
  /**
   * Why the library (with these options) does not work on `runtime`, and what
   * to use instead; `undefined` where it works. `createPool` then throws an
   * {@link UnsupportedRuntimeError} with it, instead of a pool that would hang or crash.
   */
  readonly refuses?: (options: R, runtime: RuntimeInfo) => string | undefined;
  /**
   * Where the library's options cap a worker thread's memory (Node's
   * `resourceLimits`), if it has them: `(options) => options.resourceLimits`.
   * Bun's and Deno's threads ignore such caps, so there `createPool` refuses
   * options that set one (a thread would grow past it unnoticed).
   */
  readonly resourceLimits?: (options: R) => object | undefined;
  /**
   * Starts one worker with the library and describes it as a SlotWorker. Call
   * `crashed` when it dies on its own ({@link watchWorker} does that for a
   * Worker, ChildProcess or cluster Worker). `stop()` may be called at any time:
   * while it starts, runs a job, is idle, or after it died. `terms.jobsAtOnce`
   * is the most jobs the core hands this worker at once: a library with a
   * per-worker task limit sets it to that.
   */
  readonly spawn: (options: R, crashed: Crashed, terms: WorkerTerms) => SlotWorker;
}

/** What the classes {@link defineAdapter} makes are: a SlotBackend named by its declaration. */
export class AdapterBackend extends SlotBackend {
  /** The adapter's name, from its declaration. */
  readonly name: string;
  constructor(name: string, options: BackendOptions, spawn: SpawnWorker, capabilities?: Partial<BackendCapabilities>) {
    super(options, spawn, capabilities);
    this.name = name;
  }
}

/** The Backend class {@link defineAdapter} makes. */
export interface AdapterBackendClass<O extends object, K extends string> {
  new (options: BackendOptions, libraryOptions?: O): AdapterBackend;
  /** The definition's `optionsKey`. */
  readonly optionsKey: K;
}

const pascal = (name: string) =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** Throws a TypeError for library options that are not an object, or that the adapter owns. */
function checkLibraryOptions(
  definition: AdapterDefinition<object, string, unknown>,
  given: unknown,
): asserts given is object | undefined {
  const key = definition.optionsKey;
  if (given === undefined) return;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(
      `${key} must be an object of ${definition.name}'s options, e.g. createPool({ processes: 4, ${key}: {} }) (got ${given === null ? 'null' : Array.isArray(given) ? 'an array' : typeof given})`,
    );
  }
  refuseOwnedOptions(definition.package, key, given, definition.owns ?? {});
}

/**
 * Makes an adapter's Backend class from its declaration.
 *
 * @example
 * ```ts
 * export class MylibBackend extends defineAdapter({
 *   name: 'mylib',
 *   package: '@parapool/mylib',
 *   optionsKey: 'mylib',
 *   owns: { script: owned.workerScript, maxWorkers: owned.poolSize },
 *   spawn(options: MylibOptions, crashed) {
 *     const worker = startOneWorker(options);
 *     const { online, exited } = watchWorker(worker, crashed);
 *     return { ready: online, run: (job) => worker.run(job), stop: () => worker.kill().then(() => exited) };
 *   },
 * }) {}
 * ```
 */
export function defineAdapter<O extends object, K extends string, R = O>(
  definition: AdapterDefinition<O, K, R>,
): AdapterBackendClass<O, K> {
  const generic = definition as unknown as AdapterDefinition<object, string, unknown>;
  const Backend = class extends AdapterBackend {
    static readonly optionsKey = definition.optionsKey;
    constructor(options: BackendOptions, libraryOptions?: O) {
      checkLibraryOptions(generic, libraryOptions);
      const resolved = definition.resolve
        ? definition.resolve(libraryOptions ?? ({} as O))
        : ((libraryOptions ?? {}) as unknown as R);
      const runtime = currentRuntime();
      const refusal = definition.refuses?.(resolved, runtime) ?? ignoredResourceLimits(generic, resolved, runtime);
      if (refusal !== undefined) {
        throw new UnsupportedRuntimeError(`${definition.package} does not work on ${runtime.label}: ${refusal}`);
      }
      const capabilities =
        typeof definition.capabilities === 'function' ? definition.capabilities(resolved) : definition.capabilities;
      super(definition.name, options, (crashed, terms) => definition.spawn(resolved, crashed, terms), capabilities);
    }
  };
  Object.defineProperty(Backend, 'name', { value: `${pascal(definition.name)}Backend` });
  return Backend;
}

/** Why a heap cap set in the library's options cannot hold on `runtime` (only Node's threads enforce one). */
function ignoredResourceLimits(
  definition: AdapterDefinition<object, string, unknown>,
  resolved: unknown,
  runtime: RuntimeInfo,
): string | undefined {
  if (runtime.name === 'node' || definition.resourceLimits?.(resolved) === undefined) return undefined;
  const instead =
    runtime.name === 'deno'
      ? 'drop it and use maxmemoryperchild (a worker whose heap grew past it is replaced after its job), or run on Node'
      : 'drop it, or run on Node for a capped thread';
  return `its threads ignore resourceLimits there, so a worker would grow past the cap unnoticed: ${instead}.`;
}

/**
 * Throws a TypeError for library options an adapter sets itself, saying what to
 * use instead (`owned` maps each option to that advice).
 */
export function refuseOwnedOptions(
  adapter: string,
  key: string,
  given: object | undefined,
  owned: Readonly<Record<string, string>>,
): void {
  for (const option of Object.keys(given ?? {})) {
    const why = Object.hasOwn(owned, option) ? owned[option] : undefined;
    if (why) throw new TypeError(`${key}.${option} is set by ${adapter} and cannot be passed: ${why}.`);
  }
}

/** A worker as Node reports its life: a worker_threads Worker, a ChildProcess, a cluster Worker. */
export interface WorkerEvents {
  /** The worker ended, with its exit code (and, for a process, the signal that ended it). */
  once(event: 'exit', listener: (exitCode: number | null, signal?: NodeJS.Signals | null) => void): unknown;
  /** The worker failed (an uncaught error in a thread, a process that could not start). */
  once(event: 'error', listener: (error: unknown) => void): unknown;
  /** The worker is up and runs its code. */
  once(event: 'online', listener: () => void): unknown;
}

/** What {@link watchWorker} tells about a worker. */
export interface WatchedWorker {
  /** Resolves on the worker's `online` event (for SlotWorker's `ready`). */
  readonly online: Promise<void>;
  /** Resolves once the worker has exited (for `stop()` to wait on). */
  readonly exited: Promise<void>;
}

/**
 * Watches a worker and calls `crashed` when it dies: on `error` (an uncaught
 * exception, out of memory) with {@link crashError}; on `exit` (`process.exit()`
 * in a task, a signal) with a WorkerCrashedError carrying the exit code and
 * signal. An `error` comes before its `exit`, so the error's message wins.
 * Calls after a deliberate `stop()` are ignored by the core.
 *
 * @param options.errors `false` for a library whose `error` event is its own
 *   and says less than the `exit` that follows (a child process's)
 */
export function watchWorker(worker: WorkerEvents, crashed: Crashed, options: { errors?: boolean } = {}): WatchedWorker {
  if (options.errors !== false) worker.once('error', (error) => crashed(crashError(error)));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (exitCode, signal = null) => {
      resolve();
      crashed(new WorkerCrashedError({ exitCode, signal }));
    });
  });
  const online = new Promise<void>((resolve) => worker.once('online', () => resolve()));
  return { online, exited };
}
