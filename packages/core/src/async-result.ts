import { NotReadyError, TimeoutError } from './errors.js';

/** Callbacks of the `*Async` calls (Python's `callback` / `error_callback`). */
export interface AsyncOptions<R> {
  /** Called once with the whole result, before `get()` resolves. If it throws, the result rejects with that error. */
  callback?(result: R): void;
  /** Called once with the error, before `get()` rejects. Never called together with `callback`. */
  errorCallback?(error: Error): void;
}

/**
 * The result of an `*Async` call (Python's `AsyncResult`). Also a thenable:
 * `await pool.applyAsync(...)` works.
 */
export interface AsyncResult<R> extends PromiseLike<R> {
  /** The result. With `timeoutMs`, rejects with TimeoutError if not ready by then; the work goes on. */
  get(timeoutMs?: number): Promise<R>;
  /** Resolves when the result is ready, or after `timeoutMs`. Never rejects. */
  wait(timeoutMs?: number): Promise<void>;
  /** Whether the call has completed. */
  ready(): boolean;
  /** Whether the call completed without error. Throws NotReadyError before `ready()`. */
  successful(): boolean;
}

function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)) {
    throw new RangeError(`timeoutMs must be a number ≥ 0, in milliseconds (got ${String(timeoutMs)})`);
  }
}

/** @internal */
export class AsyncResultImpl<R> implements AsyncResult<R> {
  #state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  readonly #promise: Promise<R>;

  constructor(source: Promise<R>, options: AsyncOptions<R> = {}) {
    const { callback, errorCallback } = options;
    this.#promise = source.then(
      (value) => {
        try {
          callback?.(value);
        } catch (error) {
          this.#state = 'rejected';
          throw error;
        }
        this.#state = 'fulfilled';
        return value;
      },
      (error: unknown) => {
        this.#state = 'rejected';
        errorCallback?.(error as Error);
        throw error;
      },
    );
    // An AsyncResult nobody awaits must not crash the program with an unhandled rejection.
    this.#promise.catch(() => {});
  }

  // biome-ignore lint/suspicious/noThenProperty: an AsyncResult is deliberately awaitable
  then<A = R, B = never>(
    onfulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#promise.then(onfulfilled, onrejected);
  }

  get(timeoutMs?: number): Promise<R> {
    checkTimeout(timeoutMs);
    if (timeoutMs === undefined || this.#state !== 'pending') return this.#promise;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `Result not ready after ${timeoutMs} ms; the work goes on (call get() again to keep waiting)`,
            ),
          ),
        timeoutMs,
      );
      this.#promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  wait(timeoutMs?: number): Promise<void> {
    checkTimeout(timeoutMs);
    const settled = this.#promise.then(
      () => undefined,
      () => undefined,
    );
    if (timeoutMs === undefined || this.#state !== 'pending') return settled;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      settled.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  ready(): boolean {
    return this.#state !== 'pending';
  }

  successful(): boolean {
    if (this.#state === 'pending') throw new NotReadyError();
    return this.#state === 'fulfilled';
  }
}
