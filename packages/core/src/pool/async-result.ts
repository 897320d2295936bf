import { NotReadyError, TimeoutError } from '../errors.js';

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
 *
 * @example
 * ```ts
 * const result = pool.mapAsync(tasks.square, [1, 2, 3]);
 * await result.wait(1_000); // Python's res.wait(timeout=1), in milliseconds
 * if (result.ready() && result.successful()) console.log(await result.get()); // [1, 4, 9]
 * ```
 */
export interface AsyncResult<R> extends PromiseLike<R> {
  /** The result. With `timeoutMs`, rejects with TimeoutError if not ready by then; the work goes on. */
  get(timeoutMs?: number): Promise<R>;
  /** Resolves when the result is ready, or after `timeoutMs`. Rejects only for a bad `timeoutMs`. */
  wait(timeoutMs?: number): Promise<void>;
  /** Whether the call has completed. */
  ready(): boolean;
  /** Whether the call completed without error. Throws NotReadyError before `ready()`. */
  successful(): boolean;
}

/** A RangeError for a bad timeout, or undefined if `timeoutMs` is fine. */
function badTimeout(timeoutMs: unknown): RangeError | undefined {
  if (timeoutMs === undefined) return undefined;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    const got = typeof timeoutMs === 'string' ? `the string ${JSON.stringify(timeoutMs)}` : String(timeoutMs);
    return new RangeError(`timeoutMs must be a number ≥ 0, in milliseconds (got ${got})`);
  }
  return undefined;
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
type State = typeof PENDING | typeof FULFILLED | typeof REJECTED;

/**
 * @internal
 * Settled directly by the pool (`fulfill`/`reject`), so a result used only
 * through callbacks costs no promise at all; `get()`/`then()` make one on demand.
 */
export class AsyncResultImpl<R> implements AsyncResult<R> {
  // Few fields and no per-result closures: a loop may hold 200,000 of these.
  #state: State = PENDING;
  /** The value once fulfilled, the error once rejected. */
  #outcome: unknown;
  /** The caller's callbacks, until they have run. */
  #options: AsyncOptions<R> | undefined;
  #promise: Promise<R> | undefined;
  /** The settlers of `#promise` while it waits (made only for a caller who asked: get/then/wait). */
  #resolve: ((value: R) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  /** @internal An applyAsync call's arguments while its batch holds them (until its chunk is answered). */
  batchedArgs: unknown[] | undefined = undefined;

  constructor(options?: AsyncOptions<R>) {
    if (options !== undefined && (options.callback || options.errorCallback)) this.#options = options;
  }

  /** This result's settlers, for the pool's calls to settle it. */
  settlers(): { resolve(value: R): void; reject(error: unknown): void } {
    return { resolve: (value) => this.fulfill(value), reject: (error) => this.reject(error) };
  }

  /** Settles with `value`, after running the callback (whose error rejects instead). */
  fulfill(value: R): void {
    if (this.#state !== PENDING) return;
    const options = this.#options;
    if (options !== undefined) {
      this.#options = undefined;
      const callback = options.callback;
      if (callback) {
        try {
          callback(value);
        } catch (error) {
          this.#settle(REJECTED, error);
          this.#surface();
          return;
        }
      }
    }
    this.#settle(FULFILLED, value);
  }

  /** Settles with `error`, after running the errorCallback (whose own error replaces it). */
  reject(error: unknown): void {
    if (this.#state !== PENDING) return;
    const errorCallback = this.#options?.errorCallback;
    this.#options = undefined;
    if (errorCallback) {
      try {
        errorCallback(error as Error);
      } catch (thrown) {
        this.#settle(REJECTED, thrown);
        this.#surface();
        return;
      }
    }
    this.#settle(REJECTED, error);
  }

  #settle(state: State, outcome: unknown): void {
    this.#state = state;
    this.#outcome = outcome;
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    const reject = this.#reject as (error: unknown) => void;
    this.#resolve = undefined;
    this.#reject = undefined;
    if (state === FULFILLED) resolve(outcome as R);
    else reject(outcome);
  }

  /**
   * A callback that threw is a bug nobody may hear of: unless someone is already
   * waiting on this result, its error becomes a rejected promise now, which Node
   * reports as an unhandled rejection if nobody reads the result (get/then/wait)
   * before the current microtasks drain — exactly as a rejected promise would be.
   */
  #surface(): void {
    this.#promise ??= Promise.reject(this.#outcome);
  }

  #asPromise(): Promise<R> {
    if (!this.#promise) {
      if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#outcome as R);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#outcome);
      else {
        this.#promise = new Promise<R>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
      // Made only for a caller who asked (get/then/wait), who handles it: a result
      // used through callbacks alone never makes a promise that could go unhandled.
    }
    return this.#promise;
  }

  /** The result as a promise (what `apply` returns). */
  promise(): Promise<R> {
    return this.#asPromise();
  }

  // biome-ignore lint/suspicious/noThenProperty: an AsyncResult is deliberately awaitable
  then<A = R, B = never>(
    onfulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#asPromise().then(onfulfilled, onrejected);
  }

  get(timeoutMs?: number): Promise<R> {
    const bad = badTimeout(timeoutMs);
    if (bad) return Promise.reject(bad);
    const promise = this.#asPromise();
    if (timeoutMs === undefined || this.#state !== PENDING) return promise;
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
      promise.then(
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
    const bad = badTimeout(timeoutMs);
    if (bad) return Promise.reject(bad);
    const settled = this.#asPromise().then(
      () => undefined,
      () => undefined,
    );
    if (timeoutMs === undefined || this.#state !== PENDING) return settled;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      settled.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  ready(): boolean {
    return this.#state !== PENDING;
  }

  successful(): boolean {
    if (this.#state === PENDING) throw new NotReadyError();
    return this.#state === FULFILLED;
  }
}
