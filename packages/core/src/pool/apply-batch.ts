import { deserializeError } from '../wire/error-transport.js';
import type { TaskRef } from '../wire/job.js';
import type { AsyncResultImpl } from './async-result.js';
import { ChunkedCall } from './chunked-call.js';
import { defaultChunksize } from './chunking.js';
import type { CallHost } from './map-call.js';

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
  readonly #refs: TaskRef[] = [];
  readonly #args: unknown[][] = [];
  readonly #results: AsyncResultImpl<unknown>[] = [];
  readonly #call: ChunkedCall;
  #open = 0;

  constructor(host: CallHost, processes: number) {
    this.#host = host;
    this.#processes = processes;
    // One call for the whole batch: the pool's join waits for it, terminate fails it.
    this.#call = new ChunkedCall(host.queue, host.calls, {
      onFail: (error) => {
        for (const result of this.#results) result.reject(error);
      },
    });
  }

  add(ref: TaskRef, args: unknown[], result: AsyncResultImpl<unknown>): void {
    this.#refs.push(ref);
    this.#args.push(args);
    this.#results.push(result);
  }

  /** Sends the calls: runs of the same task, chunked by Python's rule. */
  send(): void {
    const refs = this.#refs;
    const n = refs.length;
    this.#open = n;
    const size = Math.max(1, defaultChunksize(n, this.#processes));
    let start = 0;
    while (start < n) {
      const ref = refs[start] as TaskRef;
      let end = start + 1;
      while (end < n && end - start < size && sameTask(refs[end] as TaskRef, ref)) end++;
      this.#sendChunk(ref, start, end);
      start = end;
    }
  }

  #sendChunk(ref: TaskRef, start: number, end: number): void {
    const argsList = this.#args.slice(start, end);
    this.#call.send(
      this.#host.job(ref, argsList, true),
      (outcome) => {
        for (const f of outcome.failures ?? []) {
          (this.#results[start + f.index] as AsyncResultImpl<unknown>).reject(deserializeError(f.error));
        }
        // (fulfill() leaves an already rejected result as it is)
        const { values } = outcome;
        for (let i = 0; i < end - start; i++) (this.#results[start + i] as AsyncResultImpl<unknown>).fulfill(values[i]);
        this.#settled(end - start);
      },
      (error) => {
        // A job refused as a whole for a clone error never ran (its arguments
        // could not be sent): send each call alone, so only the culprit fails.
        if (error.name === 'CloneError' && end - start > 1) {
          for (let i = start; i < end; i++) this.#sendChunk(ref, i, i + 1);
          return;
        }
        for (let i = start; i < end; i++) (this.#results[i] as AsyncResultImpl<unknown>).reject(error);
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
