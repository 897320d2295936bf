import type { JobControl } from './backend.js';

/** A JobControl plus the way to cancel it: what the core holds for each job it hands to a backend. */
export interface Control extends JobControl {
  /** When the backend said the job reached a worker. */
  readonly startedAt: number | undefined;
  /** Cancels the job (drops it if not started); with `stop`, also asks that running work be stopped. */
  cancel(reason: unknown, stop: boolean): void;
}

class JobCanceller implements Control {
  /** When the job reached a worker (performance.now()), if the backend said so. */
  startedAt: number | undefined;
  cancelled = false;
  stopRequested = false;
  reason: unknown;
  readonly #listeners: Array<() => void> = [];

  onCancel(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  started(): void {
    this.startedAt ??= performance.now();
  }

  cancel(reason: unknown, stop: boolean): void {
    if (this.cancelled && (this.stopRequested || !stop)) return;
    if (!this.cancelled) this.reason = reason;
    this.cancelled = true;
    this.stopRequested ||= stop;
    for (const listener of this.#listeners.slice()) listener();
  }
}

/**
 * A new job control. The core makes one per job it hands to a backend; a
 * backend's own tests use it to cancel jobs the way the core does.
 *
 * @example
 * ```ts
 * const control = jobControl();
 * const result = backend.run(job, control);
 * control.cancel(new Error('no longer needed'), false); // a job not started never starts
 * ```
 */
export function jobControl(): Control {
  return new JobCanceller();
}
