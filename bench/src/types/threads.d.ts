// threads.js ships types, but its package.json "exports" hides them from
// NodeNext resolution; these are the few signatures the bench uses.
declare module 'threads' {
  export interface WorkerImplementation {
    terminate(): Promise<void> | void;
  }
  export const Worker: new (path: string) => WorkerImplementation;
  export function spawn<T>(worker: WorkerImplementation, options?: { timeout?: number }): Promise<T>;
  export interface QueuedTask<R> extends PromiseLike<R> {}
  export interface WorkerPool<T> {
    queue<R>(task: (worker: T) => Promise<R>): QueuedTask<R>;
    completed(allowResolvingImmediately?: boolean): Promise<unknown>;
    terminate(force?: boolean): Promise<void>;
  }
  export function Pool<T>(
    spawnWorker: () => Promise<T>,
    options?: number | { size?: number; concurrency?: number },
  ): WorkerPool<T>;
}
declare module 'threads/worker' {
  export function expose(api: Record<string, (...args: never[]) => unknown>): void;
}
