import { AsyncLocalStorage } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';

/** What a task can learn about the worker running it. */
export interface WorkerInfo {
  /** Unique per worker for the life of the program: a replaced worker gets a new id. */
  readonly id: string;
  /** OS process id of the worker. */
  readonly pid: number;
  /** Thread id of the worker (0 in a process's main thread). */
  readonly threadId: number;
  /** Jobs this worker has started, the current one included. */
  readonly jobs: number;
}

interface ContextStore {
  als: AsyncLocalStorage<WorkerInfo>;
  thread: WorkerInfo | undefined;
}

// Kept on globalThis so that every copy of this module in one thread (a task
// module loaded through tsx gets its own module graph) sees the same worker.
const KEY = Symbol.for('parapool.workerContext');

function store(): ContextStore {
  const g = globalThis as unknown as Record<symbol, ContextStore | undefined>;
  let s = g[KEY];
  if (!s) {
    s = { als: new AsyncLocalStorage<WorkerInfo>(), thread: undefined };
    g[KEY] = s;
  }
  return s;
}

/**
 * The worker running the current task, or `undefined` outside a pool's task
 * (Python's `multiprocessing.current_process()`).
 *
 * @example
 * ```ts
 * export const tasks = defineTasks(import.meta.url, {
 *   whoAmI: () => `worker ${currentWorker()?.id} (pid ${currentWorker()?.pid})`,
 * });
 * ```
 */
export function currentWorker(): WorkerInfo | undefined {
  const s = store();
  return s.als.getStore() ?? s.thread;
}

/** @internal Sets the worker of this whole thread (real workers). */
export function setThreadWorker(info: WorkerInfo): void {
  store().thread = info;
}

/** @internal Runs `fn` as the given worker (in-process backends, where many workers share a thread). */
export function runAsWorker<T>(info: WorkerInfo, fn: () => T): T {
  return store().als.run(info, fn);
}

let counter = 0;
/** @internal A new worker id, unique within this program run. */
export function newWorkerId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${threadId}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
