import type { Job, JobResult } from '../wire/job.js';
import { jobsHeld } from '../wire/jobs-ahead.js';
import type { Backend, BackendCapabilities, BackendOptions, JobControl } from './backend.js';
import type { WorkerInsight, WorkerListener } from './worker-log.js';
import { type SlotWorker, type SpawnWorker, WorkerSlots } from './worker-slots.js';

/**
 * A Backend over {@link WorkerSlots}: what every adapter with real workers is.
 * A subclass names itself and passes `spawn` (how to start one worker with its
 * library); queueing, recycling, crash replacement and abort come from here.
 *
 * @example
 * ```ts
 * class MyBackend extends SlotBackend {
 *   readonly name = 'mine';
 *   constructor(options: BackendOptions) {
 *     super(options, (crashed) => startMyWorker(crashed));
 *   }
 * }
 * ```
 */
export abstract class SlotBackend<W extends SlotWorker = SlotWorker> implements Backend {
  /** The backend's name, as insights and errors show it. */
  abstract readonly name: string;
  /** Number of workers (what `processes` resolved to). */
  readonly size: number;
  /** A worker backend's defaults (separate workers that stop running jobs), with what the subclass declared. */
  readonly capabilities: BackendCapabilities;
  /** How many jobs a worker holds at most, the one it runs included (more than 1 with `jobsAhead`). */
  readonly jobsPerWorker: number;
  /** The workers (e.g. to read process ids). */
  protected readonly slots: WorkerSlots<W>;

  /**
   * @param capabilities what differs from a worker backend's defaults (it stops
   * running jobs and isolates crashes; workers are threads of this process and
   * so `transfers`: each worker's `run` must pass its transfer list on;
   * `jobsAhead` holds for threads only: see `WorkerSlotsOptions.ahead`)
   */
  constructor(options: BackendOptions, spawn: SpawnWorker<W>, capabilities: Partial<BackendCapabilities> = {}) {
    this.size = options.processes;
    this.capabilities = {
      stopsRunningJobs: true,
      isolatesCrashes: true,
      inProcess: false,
      separateProcesses: false,
      observesWorkers: true,
      ...capabilities,
      // Threads can move buffers; processes cannot. A thread adapter's `run` passes the transfer list on.
      transfers: capabilities.transfers ?? !capabilities.separateProcesses,
      // A job ahead is guarded by shared memory between the caller and the worker: threads only.
      jobsAhead: (capabilities.jobsAhead ?? false) && !capabilities.separateProcesses && !capabilities.inProcess,
      // Threads hear it through shared memory; worker processes through a POSIX signal (none on Windows).
      signalsTasks: capabilities.signalsTasks ?? (!capabilities.separateProcesses || process.platform !== 'win32'),
    };
    this.jobsPerWorker = jobsHeld(this.capabilities.jobsAhead);
    this.slots = new WorkerSlots({
      size: options.processes,
      maxJobs: options.maxtasksperchild,
      spawn,
      transfers: this.capabilities.transfers,
      ahead: this.capabilities.jobsAhead,
      grace: options.grace,
      maxMemoryMB: options.maxmemoryperchild,
      // Shared memory reaches threads, and the caller's own thread (inline), not worker processes.
      clocks: !this.capabilities.separateProcesses,
      processSignals: this.capabilities.separateProcesses && this.capabilities.signalsTasks,
      // Worker processes on this machine leave notes in files their caller reads (wire/notes.ts).
      notes: this.capabilities.separateProcesses,
    });
  }

  run(job: Job, control: JobControl): Promise<JobResult> {
    return this.slots.run(job, control);
  }

  workerInsights(reset: boolean): WorkerInsight[] {
    return this.slots.log.insights(reset);
  }

  listen(listener: WorkerListener): () => void {
    return this.slots.log.listen(listener);
  }

  close(): Promise<void> {
    return this.slots.close();
  }

  terminate(): Promise<void> {
    return this.slots.terminate();
  }
}
