import type { Progress } from '../types.js';
import { firstFailure, jobError } from '../wire/job-outcome.js';
import type { ReceivedResult, Ticket } from './dispatcher.js';

/** What a lazy map needs from its pool. */
export interface LazyMapHost {
  /** Sends one chunk as a job. */
  submit(items: unknown[], signal: AbortSignal | undefined): Ticket;
  /** Most chunks of one call submitted but not yet consumed. */
  readonly window: number;
}

export interface LazyMapOptions {
  ordered: boolean;
  chunksize: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: Progress) => void) | undefined;
  /** Called once when all submitted work is finished and no more will be read. */
  onSettled(): void;
}

interface ChunkOutcome {
  seq: number;
  result?: ReceivedResult;
  error?: Error;
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

/**
 * `imap` / `imapUnordered`: reads the input lazily, a chunk at a time, with at
 * most `window` chunks between the input and the consumer, so an endless or
 * async input runs in bounded memory.
 */
export class LazyMap<R> implements AsyncIterableIterator<R> {
  readonly #host: LazyMapHost;
  readonly #options: LazyMapOptions;
  readonly #source: Iterable<unknown> | AsyncIterable<unknown>;
  #iterator: AnyIterator | undefined;
  #async = false;
  #reading = false;
  #exhausted = false;
  #eager = false;
  #submitted = 0; // chunks submitted
  #consumed = 0; // chunks moved to the buffer
  #running = 0; // chunks on the pool
  #itemsRead = 0;
  #itemsDone = 0;
  #totalReported = false;
  readonly #tickets = new Set<Ticket>();
  readonly #ordered = new Map<number, ChunkOutcome>();
  readonly #unordered: ChunkOutcome[] = [];
  #nextSeq = 0;
  #buffer: ArrayLike<unknown> = [];
  #bufferPos = 0;
  #pendingError: Error | undefined;
  #inputError: { error: unknown } | undefined;
  #terminal: Error | undefined;
  #done = false;
  #settled = false;
  #wake: (() => void) | undefined;
  readonly #onAbort = () => this.abort(this.#options.signal?.reason as Error);

  constructor(host: LazyMapHost, source: Iterable<unknown> | AsyncIterable<unknown>, options: LazyMapOptions) {
    this.#host = host;
    this.#source = source;
    this.#options = options;
    if (options.signal) {
      if (options.signal.aborted) this.abort(options.signal.reason as Error);
      else options.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Reads the rest of the input now (after `close()`: like Python, submitted work completes without a consumer). */
  drain(): void {
    this.#eager = true;
    void this.#fill();
  }

  /** Ends the iteration with `error` (abort, terminate): the next `next()` throws it. */
  abort(error: Error): void {
    if (this.#done || this.#terminal) return;
    this.#terminal = error;
    this.#cancelAll(error);
    this.#exhausted = true;
    this.#closeInput();
    this.#checkSettled();
    this.#notify();
  }

  async next(): Promise<IteratorResult<R>> {
    for (;;) {
      if (this.#bufferPos < this.#buffer.length) {
        const value = this.#buffer[this.#bufferPos++] as R;
        return { value, done: false };
      }
      if (this.#done) return { value: undefined, done: true };
      if (this.#terminal) return this.#fail(this.#terminal);
      if (this.#pendingError) return this.#fail(this.#pendingError);
      if (this.#takeChunk()) continue;
      if (this.#exhausted && this.#consumed === this.#submitted && !this.#reading) {
        if (this.#inputError) return this.#fail(this.#inputError.error as Error);
        this.#finish();
        return { value: undefined, done: true };
      }
      void this.#fill();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<R>> {
    if (!this.#done) {
      this.#cancelAll(new Error('imap consumer stopped'));
      this.#closeInput();
      this.#finish();
    }
    return { value: undefined, done: true };
  }

  #fail(error: Error): never {
    this.#cancelAll(error);
    this.#closeInput();
    this.#finish();
    throw error;
  }

  #finish(): void {
    this.#done = true;
    this.#exhausted = true;
    this.#buffer = [];
    this.#bufferPos = 0;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#checkSettled();
  }

  #takeChunk(): boolean {
    let outcome: ChunkOutcome | undefined;
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
    if (outcome.error) {
      this.#pendingError = outcome.error;
      return true;
    }
    const result = outcome.result as ReceivedResult;
    const failure = firstFailure(result);
    this.#buffer = failure ? result.values.slice(0, failure.index) : result.values;
    this.#bufferPos = 0;
    if (failure) this.#pendingError = failure.error;
    void this.#fill();
    return true;
  }

  async #fill(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      while (!this.#exhausted && (this.#eager || this.#submitted - this.#consumed < this.#host.window)) {
        const items = await this.#read();
        if (items.length > 0) this.#submit(items);
      }
    } finally {
      this.#reading = false;
      if (this.#done || this.#terminal) this.#closeInput();
      else this.#reportTotal();
      this.#checkSettled();
      this.#notify();
    }
  }

  async #read(): Promise<unknown[]> {
    const items: unknown[] = [];
    try {
      if (!this.#iterator) {
        const source = this.#source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
        const asyncIterate = source[Symbol.asyncIterator];
        const iterate = source[Symbol.iterator];
        if (typeof asyncIterate === 'function') {
          this.#iterator = asyncIterate.call(source);
          this.#async = true;
        } else if (typeof iterate === 'function') {
          this.#iterator = iterate.call(source);
        } else {
          throw new TypeError('imap needs an iterable or async iterable input');
        }
      }
      const iterator = this.#iterator;
      while (items.length < this.#options.chunksize && !this.#exhausted) {
        const step = this.#async
          ? await (iterator as AsyncIterator<unknown>).next()
          : (iterator as Iterator<unknown>).next();
        if (this.#exhausted) break; // aborted while waiting for the input
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
    this.#itemsRead += items.length;
    this.#running++;
    const ticket = this.#host.submit(items, this.#options.signal);
    this.#tickets.add(ticket);
    ticket.promise.then(
      (result) => this.#complete({ seq, result }, ticket, items.length),
      (error: unknown) => this.#complete({ seq, error: jobError(error) }, ticket, 0),
    );
  }

  #complete(outcome: ChunkOutcome, ticket: Ticket, count: number): void {
    this.#tickets.delete(ticket);
    this.#running--;
    if (!this.#done && !this.#terminal) {
      if (this.#options.ordered) this.#ordered.set(outcome.seq, outcome);
      else this.#unordered.push(outcome);
      this.#itemsDone += count;
      if (count > 0 && this.#options.onProgress) {
        const progress: Progress = { done: this.#itemsDone };
        if (this.#exhausted && !this.#reading) {
          progress.total = this.#itemsRead;
          this.#totalReported = true;
        }
        try {
          this.#options.onProgress(progress);
        } catch (error) {
          this.abort(error as Error);
        }
      }
    }
    this.#checkSettled();
    this.#notify();
  }

  /** Once the input is read and every chunk is done, say the total (if no completion could). */
  #reportTotal(): void {
    const onProgress = this.#options.onProgress;
    if (!onProgress || this.#totalReported || !this.#exhausted || this.#inputError) return;
    if (this.#running !== 0 || this.#itemsRead === 0) return;
    this.#totalReported = true;
    try {
      onProgress({ done: this.#itemsDone, total: this.#itemsRead });
    } catch (error) {
      this.abort(error as Error);
    }
  }

  #cancelAll(reason: unknown): void {
    for (const ticket of this.#tickets) ticket.cancel(reason);
  }

  #closeInput(): void {
    const iterator = this.#iterator;
    if (!iterator || this.#reading) return;
    this.#iterator = undefined;
    try {
      const closing = iterator.return?.();
      if (closing && typeof (closing as Promise<unknown>).catch === 'function')
        (closing as Promise<unknown>).catch(() => {});
    } catch {
      // The input's own cleanup failed; the iteration is over either way.
    }
  }

  #checkSettled(): void {
    if (this.#settled) return;
    if ((this.#exhausted && !this.#reading && this.#running === 0) || (this.#done && this.#running === 0)) {
      this.#settled = true;
      this.#options.onSettled();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
