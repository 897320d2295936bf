/**
 * The messages of a channel worker (a worker thread or process reached by
 * `postMessage` or IPC, see backends/channel-worker.ts and worker/channel.ts).
 */
import type { Job, JobResult } from './job.js';

/** Caller → worker: a job to run. `last`: run this one job, report, then exit. */
export interface JobMessage {
  readonly id: number;
  readonly job: Job;
  readonly last?: boolean;
}

/** Worker → caller: `ready` once its entry has loaded, then one answer per job. */
export type WorkerMessage =
  | { readonly ready: true }
  | { readonly id: number; readonly result: JobResult }
  /** The result could not be sent at all; the text says why. */
  | { readonly id: number; readonly unsendable: string };
