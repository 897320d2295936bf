import type { TransferListItem, Worker } from 'node:worker_threads';
import type { WorkerLike } from 'threads';

let loaded: Promise<typeof import('threads')> | undefined;
let threads: typeof import('threads') | undefined;

/**
 * Imports threads.js once. On import it adds SIGINT/SIGTERM handlers that call
 * `process.exit(0)` (cutting short the program's own shutdown handlers) and a
 * `self` global; both only serve threads.js's own `Worker` class, which this
 * adapter does not use, so they are removed again.
 */
export function loadThreads(): Promise<typeof import('threads')> {
  loaded ??= (async () => {
    const before = new Set([...process.listeners('SIGINT'), ...process.listeners('SIGTERM')]);
    const hadSelf = 'self' in globalThis;
    const module = await import('threads');
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) {
        if (!before.has(listener) && String(listener).includes('terminateWorkersAndMaster'))
          process.off(signal, listener);
      }
    }
    if (!hadSelf) Reflect.deleteProperty(globalThis, 'self');
    threads = module;
    return module;
  })();
  return loaded;
}

/**
 * The DOM-style surface `spawn()` talks to, over a plain worker_threads Worker:
 * what threads.js's own `Worker` class adds on Node, without its stack-based
 * path resolution (which breaks absolute paths and URLs) and its list of every
 * worker ever created (which would grow with each recycled worker).
 */
export function spawnable(worker: Worker): WorkerLike {
  const wrapped = new Map<(event: { data: unknown }) => void, (data: unknown) => void>();
  return {
    postMessage: (value, transferList) => worker.postMessage(value, transferList as TransferListItem[] | undefined),
    terminate: () => worker.terminate(),
    addEventListener(type, listener) {
      const onEvent = (data: unknown) => listener({ data });
      wrapped.set(listener, onEvent);
      worker.on(type, onEvent);
    },
    removeEventListener(type, listener) {
      const onEvent = wrapped.get(listener);
      wrapped.delete(listener);
      if (onEvent) worker.off(type, onEvent);
    },
  };
}

/**
 * `job` wrapped in threads.js's `Transfer`, so its buffers in `transferList`
 * move to the worker instead of being copied. Needs threads.js loaded (a
 * worker's `call` exists only once {@link loadThreads} has resolved).
 */
export function transferJob(job: unknown, transferList: readonly ArrayBuffer[]): unknown {
  if (!threads) throw new Error('transferJob() before threads.js was loaded (loadThreads())');
  return threads.Transfer(job as never, transferList as ArrayBuffer[]);
}
