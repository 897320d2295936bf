import { type RegisteredClass, registerClasses } from './wire/class-registry.js';
import type { TaskRef } from './wire/job.js';

/** Any function that can be a task: plain or async, any arguments. */
// biome-ignore lint/suspicious/noExplicitAny: the widest function type; parameters stay inferred per task
export type TaskFunction = (...args: any[]) => unknown;

/**
 * A named task: callable in-process with the function's own signature, and
 * carrying the module URL and name a worker uses to find it.
 */
export type TaskHandle<F extends TaskFunction> = F & {
  /** URL of the module that defined the task (`import.meta.url`). */
  readonly module: string;
  /** The task's name (its key in `defineTasks`). */
  readonly name: string;
  /** Marks a task handle (see {@link isTaskHandle}). */
  readonly [TASK]: true;
};

/** Handles for every function of a task module, with the same keys. */
export type TaskHandles<T extends Record<string, TaskFunction>> = { readonly [K in keyof T]: TaskHandle<T[K]> };

const TASK: unique symbol = Symbol.for('parapool.task') as never;
const REGISTRY_KEY = Symbol.for('parapool.taskRegistry');

type Registry = Map<string, TaskFunction>;

/** The per-realm registry of defined tasks, shared by every copy of this module. */
export function taskRegistry(): Registry {
  const store = globalThis as unknown as Record<symbol, Registry | undefined>;
  let registry = store[REGISTRY_KEY];
  if (!registry) {
    registry = new Map();
    store[REGISTRY_KEY] = registry;
  }
  return registry;
}

/** The name a task goes by (progress bars, a queue's job names): its export name, or `inline`. */
export function taskLabel(ref: TaskRef): string {
  return ref.kind === 'module' ? ref.name : 'inline';
}

/** The registry key of a module task. */
export function taskKey(module: string, name: string): string {
  return `${module}#${name}`;
}

/** Options of {@link defineTasks}. */
export interface DefineTasksOptions {
  /**
   * Classes whose instances cross the worker boundary as instances of their
   * class (methods and `instanceof` work on the other side), in arguments,
   * results and thrown errors; by the name both sides know them under (the
   * key, e.g. `{ Point, ParseError }`): unique in the program, stable across
   * builds (unlike `Point.name` after minification). Instances are rebuilt
   * without running the constructor, from their own enumerable fields
   * (`#private` fields do not cross). A worker learns the classes when it
   * imports this module; the caller when it imports the handles.
   */
  readonly classes?: Readonly<Record<string, RegisteredClass>>;
}

/**
 * Declares the tasks of a module, the way Python pickles a function by module
 * and name. Call it once per module and export the result.
 *
 * @example
 * ```ts
 * export const tasks = defineTasks(import.meta.url, {
 *   square: (n: number) => n * n,
 * });
 * await pool.map(tasks.square, [1, 2, 3]); // number[]
 *
 * // Instances of Point arrive as Points, errors of ParseError as ParseErrors:
 * export const geometry = defineTasks(import.meta.url, { scale }, { classes: { Point, ParseError } });
 * ```
 * CommonJS: `defineTasks(pathToFileURL(__filename).href, {...})`.
 */
export function defineTasks<const T extends Record<string, TaskFunction>>(
  moduleUrl: string,
  fns: T,
  options: DefineTasksOptions = {},
): TaskHandles<T> {
  if (typeof moduleUrl !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl)) {
    throw new TypeError(
      `defineTasks() needs the module's URL as its first argument: defineTasks(import.meta.url, {...}) in ESM, defineTasks(pathToFileURL(__filename).href, {...}) in CommonJS (got ${String(moduleUrl)})`,
    );
  }
  moduleUrl = canonicalModuleUrl(moduleUrl);
  if (options?.classes !== undefined) registerClasses(options.classes, moduleUrl);
  const registry = taskRegistry();
  const handles: Record<string, TaskFunction> = {};
  for (const [name, fn] of Object.entries(fns)) {
    if (typeof fn !== 'function') {
      throw new TypeError(`defineTasks(): '${name}' is ${typeof fn}, not a function`);
    }
    const handle = function (this: unknown, ...args: unknown[]) {
      return fn.apply(this, args);
    };
    Object.defineProperty(handle, 'name', { value: name });
    Object.defineProperty(handle, 'module', { value: moduleUrl, enumerable: true });
    Object.defineProperty(handle, TASK, { value: true });
    Object.defineProperty(handle, 'length', { value: fn.length });
    registry.set(taskKey(moduleUrl, name), fn);
    handles[name] = handle;
  }
  return Object.freeze(handles) as TaskHandles<T>;
}

/**
 * The module URL without loader artefacts: tsx's `tsImport` adds a namespace
 * query to `import.meta.url` (`tsx-namespace=…` for an ES module, `namespace=…`
 * for a file it loads as CommonJS, as it does on Node ≥ 22.18 outside a
 * `"type": "module"` package), which must not change the task's key.
 */
function canonicalModuleUrl(moduleUrl: string): string {
  if (!moduleUrl.includes('namespace=')) return moduleUrl;
  const url = new URL(moduleUrl);
  url.searchParams.delete('tsx-namespace');
  if (/^[\da-f-]{36}$/i.test(url.searchParams.get('namespace') ?? '')) url.searchParams.delete('namespace');
  return url.href;
}

/**
 * True when `value` is a handle made by `defineTasks`.
 *
 * @example
 * ```ts
 * isTaskHandle(tasks.square); // true
 * isTaskHandle((n: number) => n * n); // false: an inline function
 * ```
 */
export function isTaskHandle(value: unknown): value is TaskHandle<TaskFunction> {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[TASK] === true;
}

/** One ref per function object, so repeated calls with the same task cost a lookup. */
const refs = new WeakMap<TaskFunction, TaskRef>();

/**
 * Turns what the caller passed as a task into a `TaskRef`. Throws a TypeError
 * (the call rejects) for anything that cannot travel to a worker.
 */
export function toTaskRef(task: unknown): TaskRef {
  if (typeof task === 'function') {
    const cached = refs.get(task as TaskFunction);
    if (cached) return cached;
  }
  if (isTaskHandle(task)) {
    const ref: TaskRef = { kind: 'module', module: task.module, name: task.name };
    refs.set(task, ref);
    return ref;
  }
  if (typeof task !== 'function') {
    throw new TypeError(
      `A task must be a function or a handle from defineTasks(); got ${task === null ? 'null' : typeof task}`,
    );
  }
  const source = Function.prototype.toString.call(task);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `Cannot send ${task.name ? `'${task.name}'` : 'this function'} to a worker: native and bound functions have no source. Wrap it in a self-contained function, e.g. (x) => Math.sqrt(x), or use a task module (defineTasks).`,
    );
  }
  if (/^class[\s{]/.test(source)) {
    throw new TypeError('A class cannot be a task: pass a function, or a handle from defineTasks()');
  }
  const ref: TaskRef = { kind: 'inline', source };
  refs.set(task as TaskFunction, ref);
  return ref;
}
