import { deserializeError } from '../wire/error-transport.js';
import type { TaskRef } from '../wire/job.js';
import type { AsyncResultImpl } from './async-result.js';
import { ChunkedCall } from './chunked-call.js';
import { nameTimedOutItem } from './clone-failure.js';
import type { CallHost, Terms } from './map-call.js';
import { defaultChunksize } from './options.js';

/** Whether two refs name the same task (inline functions get a new ref per call). */
function sameTask(a: TaskRef, b: TaskRef): boolean {
  if (a === b) return true;
  if (a.kind === 'module') return b.kind === 'module' && a.name === b.name && a.module === b.module;
  return b.kind === 'inline' && a.source === b.source;
}

/**
 * The applyAsync calls of one tick, sent together as a few chunked jobs (runs
 * of calls to the same task), so a loop of many calls costs about one map.
 * Each call settles its own AsyncResult: one failing call fails only itself.
 */
export class ApplyBatch {
  readonly #host: CallHost;
  readonly #processes: number;
  /** The calls, in order; each result holds its call's arguments until its chunk is answered. */
  readonly #results: AsyncResultImpl<unknown>[] = [];
  /** Runs of calls to one task: where each starts in `#results`, and its task. */
  readonly #runStarts: number[] = [];
  readonly #runRefs: TaskRef[] = [];
  readonly #call: ChunkedCall;
  #open = 0;

  readonly #terms: Terms;

  /** @param terms the pool's defaults (a call with terms of its own is not batched) */
  constructor(host: CallHost, processes: number, terms: Terms) {
    this.#host = host;
    this.#processes = processes;
    this.#terms = terms;
    // One call for the whole batch: the pool's join waits for it, terminate fails it.
    this.#call = new ChunkedCall(host.queue, host.calls, {
      retries: terms.retries,
      onFail: (error) => {
        for (const result of this.#results) result.reject(error);
      },
    });
  }

  add(ref: TaskRef, args: unknown[], result: AsyncResultImpl<unknown>): void {
    // One array push per call (a loop may make 200,000): the arguments ride on the result.
    const runs = this.#runRefs;
    const last = runs[runs.length - 1];
    if (last === undefined || !sameTask(last, ref)) {
      runs.push(ref);
      this.#runStarts.push(this.#results.length);
    }
    result.batchedArgs = args;
    this.#results.push(result);
  }

  /** Sends the calls: runs of the same task, chunked by Python's rule. */
  send(): void {
    const n = this.#results.length;
    this.#open = n;
    const size = Math.max(1, defaultChunksize(n, this.#processes));
    const starts = this.#runStarts;
    for (let r = 0; r < starts.length; r++) {
      const ref = this.#runRefs[r] as TaskRef;
      const end = r + 1 < starts.length ? (starts[r + 1] as number) : n;
      for (let start = starts[r] as number; start < end; start += size)
        this.#sendChunk(ref, start, Math.min(end, start + size));
    }
  }

  #sendChunk(ref: TaskRef, start: number, end: number): void {
    const results = this.#results;
    const argsList = new Array<unknown[]>(end - start);
    for (let i = start; i < end; i++)
      argsList[i - start] = (results[i] as AsyncResultImpl<unknown>).batchedArgs as unknown[];
    this.#call.send(
      this.#host.job(ref, argsList, true, this.#terms),
      (outcome) => {
        for (const f of outcome.failures ?? []) {
          // (each call is its own: a timed-out one is item 0 of its apply)
          (results[start + f.index] as AsyncResultImpl<unknown>).reject(
            nameTimedOutItem(deserializeError(f.error), 0, 'apply'),
          );
        }
        // (fulfill() leaves an already rejected result as it is)
        const { values } = outcome;
        for (let i = 0; i < end - start; i++) {
          const result = results[start + i] as AsyncResultImpl<unknown>;
          result.batchedArgs = undefined;
          result.fulfill(values[i]);
        }
        this.#settled(end - start);
      },
      (error) => {
        // A job refused as a whole for a clone error never ran (its arguments
        // could not be sent): send each call alone, so only the culprit fails.
        if (error.name === 'CloneError' && end - start > 1) {
          for (let i = start; i < end; i++) this.#sendChunk(ref, i, i + 1);
          return;
        }
        for (let i = start; i < end; i++) {
          const result = results[i] as AsyncResultImpl<unknown>;
          result.batchedArgs = undefined;
          result.reject(nameTimedOutItem(error, 0, 'apply'));
        }
        this.#settled(end - start);
      },
      start,
    );
  }

  #settled(count: number): void {
    this.#open -= count;
    if (this.#open === 0) this.#call.finish();
  }
}
