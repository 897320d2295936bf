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
  /** A payload whose `transferables` are moved to the worker instead of copied. */
  export interface TransferDescriptor<T = unknown> {
    send: T;
    transferables: ArrayBuffer[];
  }
  export function Transfer<T>(payload: T, transferables: ArrayBuffer[]): TransferDescriptor<T>;
}

declare module 'threads/worker' {
  export function expose(fn: (...args: never[]) => unknown): void;
  /** A result whose `transferables` are moved back to the caller instead of copied. */
  export function Transfer<T>(payload: T, transferables: ArrayBuffer[]): { send: T; transferables: ArrayBuffer[] };
}
