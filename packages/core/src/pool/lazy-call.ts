import { PoolStateError } from '../errors.js';
import { taskLabel } from '../tasks.js';
import type { TaskRef } from '../wire/job.js';
import { firstFailure } from '../wire/job-codec.js';
import { packNumbers } from '../wire/packing.js';
import { AdaptiveChunks } from './adaptive-chunks.js';
import { ChunkedCall } from './chunked-call.js';
import { nameFailedItem, nameUncloneableItem } from './clone-failure.js';
import type { CallHost, Terms } from './map-call.js';
import type { ProgressOption } from './progress-bar.js';
import type { Progress } from './types.js';

export interface LazyCallOptions {
  readonly method: 'imap' | 'imapUnordered';
  readonly ordered: boolean;
  /** Items per chunk, or 'auto' (see {@link AdaptiveChunks}). */
  readonly chunksize: number | 'auto';
  /** Most chunks read from the input but not yet taken by the consumer. */
  readonly window: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: Progress) => void) | undefined;
  readonly progress: ProgressOption;
  /** What the call asks of each task call (timeout, retries). */
  readonly terms: Terms;
}

/** A chunk's outcome: its values (those before the failing item, if one failed) and the error. */
interface Outcome {
  readonly seq: number;
  readonly values: ArrayLike<unknown>;
  readonly error?: Error;
}

interface Pull {
  resolve(step: IteratorResult<unknown>): void;
  reject(error: unknown): void;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

/**
 * `imap` / `imapUnordered`: reads the input lazily, a chunk at a time, and
 * keeps at most `window` chunks between the input and the consumer, so an
 * endless or async input runs in bounded memory — also after `close()`, when
 * it goes on at its consumer's pace. Concurrent `next()` calls are answered
 * in order.
 */
export class LazyCall<R> implements AsyncIterableIterator<R> {
  readonly #call: ChunkedCall;
  readonly #host: CallHost;
  readonly #ref: TaskRef;
  readonly #source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly #options: LazyCallOptions;
  #iterator: AnyIterator | undefined;
  #async = false;
  #reading = false;
  #exhausted = false;
  #inputError: { error: unknown } | undefined;
  #submitted = 0;
  #consumed = 0;
  #itemsRead = 0;
  #totalReported = false;
  readonly #ordered = new Map<number, Outcome>();
  #unordered: Outcome[] = [];
  #nextSeq = 0;
  #buffer: ArrayLike<unknown> = [];
  #bufferPos = 0;
  /** A task's failure, reached by the consumer once the values before it are taken. */
  #pendingError: Error | undefined;
  /** The error the next pull rejects with (abort, terminate, the task's failure): then the iteration is over. */
  #terminal: Error | undefined;
  #finished = false;
  /** Results handed to the consumer. */
  #yielded = 0;
  readonly #pulls: Pull[] = [];
  readonly #adaptive: AdaptiveChunks | undefined;

  constructor(
    host: CallHost,
    ref: TaskRef,
    source: Iterable<unknown> | AsyncIterable<unknown>,
    options: LazyCallOptions,
  ) {
    this.#host = host;
    this.#ref = ref;
    this.#source = source;
    this.#options = options;
    if (options.chunksize === 'auto') this.#adaptive = new AdaptiveChunks();
    this.#call = new ChunkedCall(host.queue, host.calls, {
      signal: options.signal,
      onProgress: options.onProgress,
      progress: options.progress,
      label: () => `${options.method} ${taskLabel(ref)}`,
      retries: options.terms.retries,
      onFail: (error) => this.#failed(error),
      onUnread: (reason) => this.#endUnread(reason),
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Refused with a TypeError that says to use `for await`. */
  [Symbol.iterator](): never {
    return refuseSyncIteration(this.#options.method);
  }

  next(): Promise<IteratorResult<R>> {
    return new Promise<IteratorResult<R>>((resolve, reject) => {
      this.#pulls.push({ resolve: resolve as Pull['resolve'], reject });
      this.#serve();
    });
  }

  return(): Promise<IteratorResult<R>> {
    if (!this.#finished) {
      this.#finished = true;
      this.#terminal = undefined;
      this.#pendingError = undefined;
      this.#call.stop(); // chunks not started never start; running ones are dropped
      this.#clear();
      this.#closeInput();
    }
    this.#serve();
    return Promise.resolve(DONE);
  }

  /**
   * Nobody will read this iterator (`reason` says why): unless every result
   * was already taken, the call fails with a PoolStateError that the next
   * `next()` rejects with, its running chunks are stopped, and the message is
   * returned for the pool to warn with.
   */
  #endUnread(reason: string): string | undefined {
    if (this.#finished) return undefined;
    const allTaken =
      this.#exhausted &&
      !this.#reading &&
      !this.#inputError &&
      !this.#pendingError &&
      this.#consumed === this.#submitted &&
      this.#bufferPos >= this.#buffer.length;
    if (allTaken) {
      // Only the final `{ done: true }` was never asked for: nothing is lost.
      this.#finished = true;
      this.#call.finish();
      this.#serve();
      return undefined;
    }
    const dropped =
      this.#yielded === 0
        ? 'none of its results had been read, and it was dropped'
        : `${this.#yielded} of its results had been read, and the rest were dropped`;
    const message = `pool.${this.#options.method}(${taskLabel(this.#ref)}) was ended unread ${reason}: ${dropped}. Read it to its end with \`for await\` (or break out of it) before then.`;
    this.#call.fail(new PoolStateError(message), true);
    return message;
  }

  /** Answers waiting pulls, in order, with whatever is ready; reads more input when it must wait. */
  #serve(): void {
    const pulls = this.#pulls;
    while (pulls.length > 0) {
      if (this.#terminal) {
        const error = this.#terminal;
        this.#terminal = undefined;
        this.#finished = true;
        (pulls.shift() as Pull).reject(error);
        continue;
      }
      if (this.#finished) {
        (pulls.shift() as Pull).resolve(DONE);
        continue;
      }
      if (this.#bufferPos < this.#buffer.length) {
        this.#yielded++;
        (pulls.shift() as Pull).resolve({ value: this.#buffer[this.#bufferPos++], done: false });
        continue;
      }
      if (this.#pendingError) {
        const error = this.#pendingError;
        this.#pendingError = undefined;
        this.#call.fail(error); // drops what has not started; the next pull rejects with it
        continue;
      }
      if (this.#takeOutcome()) continue;
      if (this.#exhausted && !this.#reading && this.#consumed === this.#submitted) {
        if (this.#inputError) {
          this.#call.fail(this.#inputError.error as Error);
          continue;
        }
        this.#finished = true;
        this.#call.finish();
        continue;
      }
      if (this.#canRead()) void this.#fill();
      return; // the next chunk's outcome (or the input) wakes us
    }
  }

  /** Whether more input may be read now (room in the window, nothing reading). */
  #canRead(): boolean {
    return (
      !this.#reading && !this.#exhausted && !this.#call.ended && this.#submitted - this.#consumed < this.#options.window
    );
  }

  /** The call failed (abort, terminate, a throwing onProgress, or a failure the consumer reached). */
  #failed(error: Error): void {
    if (this.#finished) return;
    this.#terminal = error;
    this.#clear();
    this.#closeInput();
    this.#serve();
  }

  #clear(): void {
    this.#buffer = [];
    this.#bufferPos = 0;
    this.#ordered.clear();
    this.#unordered = [];
  }

  #takeOutcome(): boolean {
    let outcome: Outcome | undefined;
    if (this.#options.ordered) {
      outcome = this.#ordered.get(this.#nextSeq);
      if (outcome) {
        this.#ordered.delete(this.#nextSeq);
        this.#nextSeq++;
      }
    } else {
      outcome = this.#unordered.shift();
    }
    if (!outcome) return false;
    this.#consumed++;
    this.#buffer = outcome.values;
    this.#bufferPos = 0;
    if (outcome.error) this.#pendingError = outcome.error;
    if (this.#canRead()) void this.#fill(); // the window has room again
    return true;
  }

  async #fill(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      while (!this.#exhausted && !this.#call.ended && this.#submitted - this.#consumed < this.#options.window) {
        const items = await this.#read();
        if (this.#call.ended) break;
        if (items.length > 0) this.#submit(items);
      }
    } finally {
      this.#reading = false;
      if (this.#call.ended) this.#closeInput();
      else this.#reportTotal();
      this.#serve();
    }
  }

  async #read(): Promise<unknown[]> {
    const items: unknown[] = [];
    try {
      if (!this.#iterator) {
        const source = this.#source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
        const asyncIterate = source[Symbol.asyncIterator];
        if (typeof asyncIterate === 'function') {
          this.#iterator = asyncIterate.call(source);
          this.#async = true;
        } else {
          this.#iterator = (source[Symbol.iterator] as () => Iterator<unknown>).call(source);
        }
      }
      const iterator = this.#iterator;
      const size = this.#adaptive ? this.#adaptive.size : (this.#options.chunksize as number);
      while (items.length < size) {
        const step = this.#async
          ? await (iterator as AsyncIterator<unknown>).next()
          : (iterator as Iterator<unknown>).next();
        if (this.#call.ended) break; // stopped while waiting for the input
        if (step.done) {
          this.#exhausted = true;
          break;
        }
        items.push(step.value);
      }
    } catch (error) {
      this.#inputError = { error };
      this.#exhausted = true;
    }
    return items;
  }

  #submit(items: unknown[]): void {
    const seq = this.#submitted++;
    const offset = this.#itemsRead;
    this.#itemsRead += items.length;
    this.#call.send(
      this.#host.job(this.#ref, packNumbers(items), false, this.#options.terms),
      (result, roundTripMs) => {
        if (this.#adaptive && result.ran) {
          this.#adaptive.observe(items.length, result.ran.ms, roundTripMs - (result.loadMs ?? 0));
        }
        const failure = firstFailure(result);
        if (failure) {
          const error = nameFailedItem(failure.error, offset + failure.index, this.#options.method);
          this.#deliver({ seq, values: result.values.slice(0, failure.index), error });
        } else this.#deliver({ seq, values: result.values });
      },
      (error) =>
        this.#deliver({ seq, values: [], error: nameUncloneableItem(error, items, offset, this.#options.method) }),
      offset,
    );
  }

  #deliver(outcome: Outcome): void {
    if (this.#options.ordered) this.#ordered.set(outcome.seq, outcome);
    else this.#unordered.push(outcome);
    const count = outcome.values.length;
    if (count > 0) {
      let total: number | undefined;
      if (this.#exhausted && !this.#reading && this.#call.inFlight === 0 && !this.#inputError) {
        total = this.#itemsRead;
        this.#totalReported = true;
      }
      if (!this.#call.progress(count, total)) return;
    }
    this.#serve();
  }

  /** Once the input is read and every chunk is done, say the total (if no completion could). */
  #reportTotal(): void {
    if (!this.#options.onProgress || this.#totalReported || !this.#exhausted || this.#inputError) return;
    if (this.#call.inFlight !== 0 || this.#itemsRead === 0) return;
    this.#totalReported = true;
    this.#call.progress(0, this.#itemsRead);
  }

  #closeInput(): void {
    const iterator = this.#iterator;
    if (!iterator || this.#reading) return;
    this.#iterator = undefined;
    if (this.#exhausted && !this.#inputError) return; // a finished input needs no closing
    try {
      const closing = iterator.return?.();
      if (closing && typeof (closing as Promise<unknown>).catch === 'function')
        (closing as Promise<unknown>).catch(() => {});
    } catch {
      // The input's own cleanup failed; the iteration is over either way.
    }
  }
}

/** `for (const x of pool.imap(...))` without `await`: say what to write instead. */
export function refuseSyncIteration(method: string): never {
  throw new TypeError(
    `pool.${method}() returns an async iterator: iterate it with \`for await (const result of pool.${method}(...))\` inside an async function. For a plain array, use pool.map().`,
  );
}
