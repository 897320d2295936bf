// threads.js 1.7.0 ships types, but its package.json "exports" hides them from
// ESM (NodeNext) resolution. These are the parts this adapter uses.

declare module 'threads' {
  /** What `spawn()` needs from a worker: the DOM Worker surface. */
  export interface WorkerLike {
    postMessage(value: unknown, transferList?: readonly unknown[]): void;
    terminate(): unknown;
    addEventListener(type: string, listener: (event: { data: unknown }) => void): void;
    removeEventListener(type: string, listener: (event: { data: unknown }) => void): void;
  }
  /** Waits for the worker's `expose()`, then returns a function that calls the exposed one. */
  export function spawn<Args extends unknown[], Result>(
    worker: WorkerLike,
    options?: { timeout?: number },
  ): Promise<(...args: Args) => PromiseLike<Result>>;
}

declare module 'threads/worker' {
  export function expose(fn: (...args: never[]) => unknown): void;
}
