import type { Worker as ClusterWorker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import {
  defineAdapter,
  type Job,
  type JobResult,
  lazyLibrary,
  owned,
  processChannelRefusal,
  type SlotWorker,
  threadExecArgv,
  watchWorker,
  workerExecArgv,
} from '@parapool/core/adapter';
import type { PoolOptions } from 'poolifier';

/** poolifier, loaded when the first worker starts (a task module importing this package in a worker does not load it). */
const poolifier = lazyLibrary<typeof import('poolifier')>(import.meta.url, 'poolifier');

/** The poolifier options this adapter sets itself, and what to do instead. */
const OWNS = {
  startWorkers: 'the core starts workers as work comes',
  enableTasksQueue: owned.queue,
  tasksQueueOptions: owned.queue,
  workerChoiceStrategy: 'each parapool worker is a poolifier pool of one worker: there is no worker to choose',
  workerChoiceStrategyOptions: 'each parapool worker is a poolifier pool of one worker: there is no worker to choose',
  restartWorkerOnError: 'the core replaces a worker that died (and fails only its job)',
  enableEvents: "the adapter needs poolifier's events to know when a worker is up",
} as const;

/** poolifier's pool options (the `poolifier` key of `createPool`), minus the ones this adapter sets, plus the pool type. */
export interface PoolifierOptions
  extends Omit<
    PoolOptions<ThreadWorker> & PoolOptions<ClusterWorker>,
    keyof typeof OWNS | 'errorHandler' | 'exitHandler' | 'onlineHandler' | 'messageHandler'
  > {
  /**
   * `'thread'` (default): FixedThreadPool, worker threads. `'cluster'`:
   * FixedClusterPool, one OS process per worker (node:cluster; `settings` goes
   * to `cluster.setupPrimary`, default `serialization: 'advanced'`).
   */
  readonly workerType?: 'thread' | 'cluster';
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker.cjs', import.meta.url));

type Resolved = { readonly cluster: boolean; readonly pool: Omit<PoolifierOptions, 'workerType'> };

function resolve({ workerType = 'thread', ...pool }: PoolifierOptions): Resolved {
  if (workerType !== 'thread' && workerType !== 'cluster') {
    throw new TypeError(`poolifier.workerType must be 'thread' or 'cluster' (got ${String(workerType)})`);
  }
  const cluster = workerType === 'cluster';
  // Cluster workers talk JSON by default, which drops undefined and mangles Map, Set, Date, BigInt...:
  // structured clone matches what worker threads do.
  const settings = cluster ? { serialization: 'advanced' as const, ...pool.settings } : pool.settings;
  return { cluster, pool: { ...pool, settings } };
}

/** Ends a worker now, whatever it is doing: poolifier's own stop asks the worker first, which a busy one cannot answer. */
function kill(worker: ThreadWorker | ClusterWorker): void {
  if ('terminate' in worker) void worker.terminate();
  else worker.process.kill('SIGKILL');
}

/**
 * Stops poolifier hearing from a worker the adapter lets go with jobs unanswered.
 * Such a worker may have posted an answer (a result, or a job ahead it skipped)
 * that arrives after its exit, once poolifier has forgotten the worker; poolifier
 * then throws, uncaught, in the caller ("received from unknown worker"). The
 * core has written those jobs off already, so their answers are dropped here.
 */
function deafen(
  worker: ThreadWorker | ClusterWorker,
  port: { removeAllListeners(event: 'message'): unknown } | undefined,
): void {
  if ('process' in worker) worker.removeAllListeners('message');
  else port?.removeAllListeners('message');
}

/** Resolves once `worker` has exited (at once if it has). */
function exitOf(worker: ThreadWorker | ClusterWorker): Promise<void> {
  const gone = 'process' in worker ? worker.isDead() : worker.threadId === -1;
  return gone ? Promise.resolve() : new Promise((resolve) => worker.once('exit', () => resolve()));
}

/** Starts one parapool worker: a poolifier fixed pool of exactly one worker. */
function spawn({ cluster, pool: options }: Resolved, crashed: Parameters<typeof watchWorker>[1]): SlotWorker {
  const { FixedClusterPool, FixedThreadPool } = poolifier();
  const Pool = cluster ? FixedClusterPool : FixedThreadPool;
  const own = {
    ...options,
    // A thread's flags, and a cluster worker's (cluster's settings), without the parent-only ones.
    workerOptions: { execArgv: threadExecArgv(), ...options.workerOptions },
    settings: { execArgv: workerExecArgv(), ...options.settings },
    enableTasksQueue: false,
    startWorkers: true,
  };
  const pool = new Pool<Job, JobResult>(1, WORKER_ENTRY, own as PoolOptions<ThreadWorker> & PoolOptions<ClusterWorker>);
  // poolifier re-emits a worker's error on its emitter, which throws if nobody listens.
  pool.emitter?.on('error', () => {});
  const node = pool.workerNodes[0];
  if (!node) throw new Error('poolifier started no worker');
  const worker = node.worker as ThreadWorker | ClusterWorker;
  // A cluster worker's 'error' is about its IPC channel; its 'exit' says more (the exit code, the signal).
  const { exited } = watchWorker(worker, crashed, { errors: !cluster });
  let dead = false;
  void exited.then(() => (dead = true));
  let running = 0;
  return {
    // Emitted once the worker has answered poolifier's startup message.
    ready: new Promise<void>((resolve) => pool.emitter?.once('ready', () => resolve())),
    get pid() {
      return 'process' in worker ? worker.process.pid : undefined;
    },
    run: (job, transfer) => {
      // Bun's and Deno's IPC channels get a value Node's refuses wrong: refused before it is sent.
      const refused = cluster ? processChannelRefusal(job) : undefined;
      if (refused) return Promise.reject(refused);
      running++;
      // Moved, not copied, on threads (the job's packed data and transfer()-marked values); [] for cluster.
      return pool.execute(job, undefined, undefined, transfer).finally(() => running--);
    },
    keepAlive: (alive) => {
      // Bun's IPC channel has neither ref() nor unref(): call them where they exist.
      const handles: Array<{ ref?(): unknown; unref?(): unknown } | null | undefined> =
        'process' in worker ? [worker.process, worker.process.channel] : [worker, node.messageChannel?.port1];
      for (const handle of handles)
        if (alive) handle?.ref?.();
        else handle?.unref?.();
    },
    // poolifier's destroy() asks each worker to stop, which a busy one cannot answer, then waits for an
    // 'exit' that a worker which already exited never emits again (after a crash, or when the worker ended
    // itself on that request first): it may never resolve. So a busy worker is ended here, destroy() ends
    // the others (an idle worker, or the replacement poolifier starts for a dead one), and stop() waits for
    // the workers' own exits, not for destroy().
    stop: async () => {
      if (running > 0) deafen(worker, node.messageChannel?.port1);
      if (running > 0 && !dead) kill(worker);
      if (running > 0 || dead) await exited;
      const others = pool.workerNodes.map((each) => exitOf(each.worker as ThreadWorker | ClusterWorker));
      pool.destroy().catch(() => {});
      await Promise.all([exited, ...others]);
    },
  };
}

/**
 * The parapool Backend over poolifier. Each parapool worker is a poolifier
 * fixed pool of one worker (thread or cluster process), so the adapter knows
 * which worker runs which job: it retires that pool (and starts a fresh one)
 * after `maxtasksperchild` jobs, when its worker dies, or when its running job
 * is aborted.
 */
export class PoolifierBackend extends defineAdapter({
  name: 'poolifier',
  package: '@parapool/poolifier',
  optionsKey: 'poolifier',
  owns: OWNS,
  resolve,
  // Threads move buffers both ways (the worker entry posts results with a transfer list) and hold jobs
  // ahead (with its task queue off, poolifier posts a task to its busy worker at once).
  capabilities: ({ cluster }) => ({ separateProcesses: cluster, jobsAhead: !cluster }),
  resourceLimits: ({ cluster, pool }) => (cluster ? undefined : pool.workerOptions?.resourceLimits),
  // On Deno, once one of its thread workers has exited (process.exit() in a task, a crash), a poolifier
  // thread pool keeps the program alive after join(): the program never ends. Its cluster workers do not.
  refuses: ({ cluster }, runtime) =>
    runtime.name === 'deno' && !cluster
      ? "a poolifier thread pool keeps a Deno program alive for ever once one of its workers has exited (a crash, process.exit() in a task). Use poolifier's cluster workers (poolifier: { workerType: 'cluster' }), or @parapool/piscina for threads."
      : undefined,
  spawn,
}) {}
