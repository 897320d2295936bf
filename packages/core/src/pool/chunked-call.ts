import { endedItemsCarried } from '../wire/ended-items.js';
import type { Job } from '../wire/job.js';
import { jobError } from '../wire/job-codec.js';
import { notesPath, removeRecord } from '../wire/notes.js';
import type { JobQueue, ReceivedResult, Ticket } from './job-queue.js';
import { openProgressBar, type ProgressBar, type ProgressOption } from './progress-bar.js';
import type { Progress } from './types.js';

/** The error an aborted signal stands for. */
export function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  return reason instanceof Error
    ? reason
    : new DOMException(String(reason ?? 'This operation was aborted'), 'AbortError');
}

/** A WorkerCrashedError of a job whose worker died each of its `attempts` runs (retries exhausted). */
function afterAttempts(error: Error, attempts: number): Error {
  const crash = error as Error & { attempts?: number };
  crash.message = `${crash.message} It ran ${attempts} times (retries: ${attempts - 1}) and its worker died each time: the task kills every worker it runs on.`;
  crash.attempts = attempts;
  return crash;
}

/** The open calls of a pool: what `join()` waits for and `terminate()` ends. */
export interface CallRegistry {
  add(call: ChunkedCall): void;
  delete(call: ChunkedCall): void;
}

export interface ChunkedCallOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** The `progress` option: a bar on stderr, named by `label` (made only for a bar) unless the option names it. */
  readonly progress?: ProgressOption;
  readonly label?: (() => string) | undefined;
  /** Number of items, when known at the start. */
  readonly total?: number;
  /** Times a job whose worker died is sent again (default 0). */
  readonly retries?: number;
  /** Called once when the call fails (abort, terminate, fail-fast, a throwing onProgress). */
  readonly onFail: (error: Error) => void;
  /**
   * A call its consumer reads at its own pace (`imap`): asked to end because
   * nobody will read it (`reason` says why). Returns what it dropped, to warn
   * of, or undefined if nothing was left unread.
   */
  readonly onUnread?: (reason: string) => string | undefined;
}

/**
 * One call's chunks on the job queue — map, starmap, imap, imapUnordered and
 * the applyAsync batch all go through here: submitting chunks, failing fast
 * (the chunks not yet started never start; running ones finish and are
 * dropped), aborting on the caller's signal (running chunks are stopped where
 * the backend can), progress, and the pool's bookkeeping of open calls.
 *
 * What a chunk's result means (fill an array, feed an iterator, settle
 * AsyncResults) is the caller's.
 */
export class ChunkedCall {
  readonly #queue: JobQueue;
  readonly #registry: CallRegistry;
  readonly #options: ChunkedCallOptions;
  readonly #tickets = new Set<Ticket>();
  #ended = false;
  #done = 0;
  readonly #onAbort: (() => void) | undefined;
  readonly #bar: ProgressBar | undefined;
  #total: number | undefined;

  constructor(queue: JobQueue, registry: CallRegistry, options: ChunkedCallOptions) {
    this.#queue = queue;
    this.#registry = registry;
    this.#options = options;
    this.#total = options.total;
    registry.add(this);
    this.#bar = openProgressBar(options.progress, options.label ?? (() => 'parapool'), options.total);
    const { signal } = options;
    if (signal) {
      this.#onAbort = () => this.fail(abortReason(signal), true);
      if (signal.aborted) this.#onAbort();
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** True once the call has ended (finished, failed or stopped). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Chunks submitted whose outcome has not come yet. */
  get inFlight(): number {
    return this.#tickets.size;
  }

  /**
   * Submits one chunk. `onResult` gets its result; `onError` the error of the
   * whole job (a crash, a clone error) — by default the call fails with it.
   * Nothing is heard once the call has ended.
   */
  send(
    job: Job,
    onResult: (result: ReceivedResult, roundTripMs: number) => void,
    onError?: (error: Error) => void,
    firstItem = 0,
  ): void {
    if (this.#ended) return;
    this.#submit(job, onResult, onError, firstItem, 1);
  }

  #submit(
    job: Job,
    onResult: (result: ReceivedResult, roundTripMs: number) => void,
    onError: ((error: Error) => void) | undefined,
    firstItem: number,
    attempt: number,
  ): void {
    let answered = false;
    const ticket: Ticket = this.#queue.submit(
      job,
      (error, result, roundTripMs) => {
        answered = true;
        this.#tickets.delete(ticket);
        // A job of worker processes that is not sent again: the record file they kept of its items is not read again.
        if (job.resendKey !== undefined && (result || !this.#resends(error, attempt)))
          removeRecord(notesPath(job.resendKey));
        if (this.#ended) return;
        if (result) {
          onResult(result, roundTripMs ?? 0);
          return;
        }
        let failure = jobError(error);
        if (failure.name === 'WorkerCrashedError') {
          // Its worker died: run it again, on another worker (the dead one's replacement or any other).
          if (this.#resends(error, attempt)) {
            // A worker on another machine sends back the items that had ended: they do not run again.
            const ended = endedItemsCarried(error);
            this.#submit(ended ? { ...job, ended } : job, onResult, onError, firstItem, attempt + 1);
            return;
          }
          if (attempt > 1) failure = afterAttempts(failure, attempt);
        }
        if (onError) onError(failure);
        else this.fail(failure);
      },
      firstItem,
    );
    if (!answered) this.#tickets.add(ticket);
  }

  /** Whether a job that ended with `error` on its `attempt`th run is sent again (its worker died, and it has retries left). */
  #resends(error: unknown, attempt: number): boolean {
    return !this.#ended && attempt <= (this.#options.retries ?? 0) && jobError(error).name === 'WorkerCrashedError';
  }

  /**
   * Counts `count` more items done and reports progress. Returns false if the
   * call failed meanwhile (a throwing onProgress fails it).
   */
  progress(count: number, total?: number): boolean {
    this.#done += count;
    if (total !== undefined) this.#total = total;
    this.#bar?.update(this.#done, this.#total);
    const onProgress = this.#options.onProgress;
    if (!onProgress || this.#ended) return !this.#ended;
    const progress: Progress = total === undefined ? { done: this.#done } : { done: this.#done, total };
    try {
      onProgress(progress);
    } catch (error) {
      this.fail(jobError(error));
      return false;
    }
    return true;
  }

  /** Items done so far. */
  get done(): number {
    return this.#done;
  }

  /**
   * Fails the call once: chunks not yet started never start, running ones are
   * dropped (or stopped, with `stop`), and `onFail` hears `error`.
   */
  fail(error: Error, stop = false): void {
    if (this.#ended) return;
    this.#end(error, stop);
    this.#options.onFail(error);
  }

  /** Ends the call without an error (a `break`): drops what has not started. */
  stop(): void {
    if (this.#ended) return;
    this.#end(new Error('The call was stopped by its consumer'), false);
  }

  /**
   * For a call read at its consumer's pace: ends it if it was left unread,
   * and says what was dropped (see {@link ChunkedCallOptions.onUnread}).
   */
  endUnread(reason: string): string | undefined {
    return this.#ended ? undefined : this.#options.onUnread?.(reason);
  }

  /** Ends a call that completed. */
  finish(): void {
    if (this.#ended) return;
    this.#end(undefined, false);
  }

  #end(reason: unknown, stop: boolean): void {
    this.#ended = true;
    this.#bar?.end();
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    if (this.#tickets.size > 0) {
      const tickets = [...this.#tickets];
      this.#tickets.clear();
      for (const ticket of tickets) ticket.cancel(reason, stop);
    }
    this.#registry.delete(this);
  }
}
