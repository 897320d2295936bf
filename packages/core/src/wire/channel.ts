/**
 * The messages of a channel worker (a worker thread or process reached by
 * `postMessage` or IPC, see backends/channel-worker.ts and worker/channel.ts),
 * and how each side writes and reads them.
 *
 * A job and its answer travel as flat arrays, not as the `Job` and
 * `JobResult` objects: structured clone (a thread's `postMessage`, a process's
 * advanced serialization) pays for every object and string it copies, and for a
 * one-item `apply` that was most of a round trip (measured on Node 24: a
 * job-shaped object message and its answer cost each side ~10 µs of CPU more
 * than a bare number; flat arrays a third of that). So a task travels once per
 * worker (its TaskRef with a number), then as its number; the worker says who
 * it is once (its first answer), then only how long each job took.
 */
import type { ItemFailure, Job, JobResult, JobRun, TaskRef } from './job.js';

/**
 * The fields of a job besides its task, items, spread and gate (packed columns, an
 * initializer, gate cells, the codec's...), only when it has some.
 */
type JobExtra = Partial<Job> & {
  /** Run this one job, report, then exit (a `Process`). */
  readonly last?: true;
};

/** The fields of a result besides its values, run, failures and skipped (the codec's...), only when it has some. */
type ResultExtra = Record<string, unknown>;

const JOB_FIELDS: ReadonlySet<string> = new Set(['task', 'items', 'spread', 'gate']);
const RESULT_FIELDS: ReadonlySet<string> = new Set(['values', 'ran', 'failures', 'skipped']);

/** The own fields of `object` not in `known`, or undefined if none. */
function rest(object: object, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const key in object) {
    if (known.has(key)) continue;
    extra ??= {};
    extra[key] = (object as Record<string, unknown>)[key];
  }
  return extra;
}

/**
 * Caller → worker: a job to run, `[id, task number, items, spread, gate, extra, task]`.
 * `task` (its TaskRef) comes the first time this worker is sent that task number.
 */
export type JobMessage = readonly [
  id: number,
  taskNo: number,
  items: Job['items'],
  spread: boolean,
  gate: number | undefined,
  extra: JobExtra | undefined,
  task: TaskRef | undefined,
];

/**
 * Worker → caller, one per job: `[id, values, ms, failures, skipped, worker, extra]`
 * (`ms` how long the job ran; `worker` who ran it, in the worker's first answer only).
 */
export type ReplyMessage = readonly [
  id: number,
  values: JobResult['values'],
  ms: number | undefined,
  failures: ItemFailure[] | undefined,
  skipped: true | undefined,
  worker: JobRun['worker'] | undefined,
  extra: ResultExtra | undefined,
];

/** Worker → caller: `ready` once its entry has loaded, then one answer per job. */
export type WorkerMessage =
  | {
      /** The worker's entry has loaded: it takes jobs. */
      readonly ready: true;
    }
  | ReplyMessage
  /** The result could not be sent at all; the text says why. */
  | {
      /** The job whose result could not be sent. */
      readonly id: number;
      /** Why (the send's error message). */
      readonly unsendable: string;
    };

/** The caller's side of one worker's channel: numbers the tasks it has sent, reads the answers. */
export class JobWriter {
  /** Task numbers by TaskRef (the core keeps one TaskRef per task function or handle)... */
  readonly #byRef = new WeakMap<TaskRef, number>();
  /** ...and by what the TaskRef names (a new TaskRef for the same task reuses its number). */
  readonly #byKey = new Map<string, number>();
  /** The tasks the worker has been told, by number: a job that could not be sent told it nothing. */
  readonly #told: boolean[] = [];
  /** Who ran the jobs (from the worker's first answer). */
  #worker: JobRun['worker'] | undefined;

  /**
   * `job` as the message that carries it, with id `id`: with its TaskRef until a
   * message that carried it has been sent (see {@link sent}).
   */
  write(id: number, job: Job, last?: true): JobMessage {
    const { task } = job;
    let taskNo = this.#byRef.get(task);
    if (taskNo === undefined) {
      const key = task.kind === 'module' ? `m${task.module}#${task.name}` : `i${task.source}`;
      taskNo = this.#byKey.get(key);
      if (taskNo === undefined) {
        taskNo = this.#byKey.size;
        this.#byKey.set(key, taskNo);
      }
      this.#byRef.set(task, taskNo);
    }
    let extra = rest(job, JOB_FIELDS) as JobExtra | undefined;
    if (last) extra = { ...extra, last };
    return [id, taskNo, job.items, job.spread, job.gate, extra, this.#told[taskNo] ? undefined : task];
  }

  /** `message` reached the channel: the worker knows its task from now on. */
  sent(message: JobMessage): void {
    if (message[6]) this.#told[message[1]] = true;
  }

  /** The JobResult an answer carries. */
  read(reply: ReplyMessage): JobResult {
    const [, values, ms, failures, skipped, worker, extra] = reply;
    if (worker) this.#worker = worker;
    const result: { -readonly [K in keyof JobResult]: JobResult[K] } = extra ? { ...extra, values } : { values };
    if (failures) result.failures = failures;
    if (skipped) result.skipped = true;
    if (ms !== undefined && this.#worker) result.ran = { ms, worker: this.#worker };
    return result;
  }
}

/** The worker's side of its channel: the tasks it has been sent, and whether it has said who it is. */
export class JobReader {
  readonly #tasks: TaskRef[] = [];
  #introduced = false;

  /** The Job a message carries, and whether it is the last one (a `Process`). */
  read(message: JobMessage): { job: Job; last: boolean } {
    const [, taskNo, items, spread, gate, extra, first] = message;
    if (first) this.#tasks[taskNo] = first;
    const task = this.#tasks[taskNo];
    if (!task)
      throw new Error(`parapool: task number ${taskNo} was never sent to this worker (a bug: please report it)`);
    const job: { -readonly [K in keyof Job]: Job[K] } = { task, items, spread };
    if (gate !== undefined) job.gate = gate;
    if (!extra) return { job, last: false };
    const { last, ...rest } = extra;
    return { job: Object.assign(job, rest), last: last === true };
  }

  /** The answer to job `id` (it says who ran it until an answer that did has been sent: see {@link sent}). */
  reply(id: number, result: JobResult): ReplyMessage {
    const { ran } = result;
    const worker = ran && !this.#introduced ? ran.worker : undefined;
    return [id, result.values, ran?.ms, result.failures, result.skipped, worker, rest(result, RESULT_FIELDS)];
  }

  /** `message` was sent: if it said who ran it, later answers need not. */
  sent(message: WorkerMessage): void {
    if (isReply(message) && message[5]) this.#introduced = true;
  }
}

/** Whether a worker's message is an answer to a job. */
export function isReply(message: WorkerMessage): message is ReplyMessage {
  return Array.isArray(message);
}
