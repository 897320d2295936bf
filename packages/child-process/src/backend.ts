import { channelWorker, checkChildProcessOptions, defineAdapter, forkWorker } from '@parapool/core/adapter';

/**
 * A fixed set of `child_process.fork` workers (one OS process each, like
 * Python's Pool), talking over IPC with structured-clone serialization. The
 * core's channel worker talks to each; its WorkerSlots queues, recycles and
 * replaces them; idle workers do not keep the program alive.
 */
export class ChildProcessBackend extends defineAdapter({
  name: 'child-process',
  package: '@parapool/child-process',
  optionsKey: 'childProcess',
  resolve: checkChildProcessOptions,
  capabilities: { separateProcesses: true },
  spawn: (options, crashed) => channelWorker(forkWorker(options), crashed),
}) {
  /** Process ids of the live worker processes. */
  get pids(): number[] {
    return this.slots.workers.flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
  }
}
