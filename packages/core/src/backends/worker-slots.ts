import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { CloneError, PoolStateError, PoolTerminatedError, WorkerCrashedError, WorkerStartupError } from '../errors.js';
import { settlesWithin } from '../settles-within.js';
import { taskLabel } from '../tasks.js';
import {
  ABORT_PROCESS_SIGNAL,
  ABORT_WHY,
  type AbortWhy,
  cancelOnClock,
  DEFAULT_GRACE_MS,
  jobDeadline,
  judgeStall,
  lingeringOn,
  MAX_TIMER_MS,
  newClock,
  PROCESS_WATCH_MARGIN_MS,
  STALL,
  timeoutError,
} from '../wire/deadlines.js';
import { isDataCloneError, serializeError, toCloneError } from '../wire/error-transport.js';
import { jobRecorder } from '../wire/item-record.js';
import type { ItemFailure, Job, JobResult } from '../wire/job.js';
import { handOutAhead, type JobInLine, jobsAtOnce, takeBack, WorkerLine } from '../wire/jobs-ahead.js';
import { notesPath, removeRecord, takeCallNote, takeTimeoutNote } from '../wire/notes.js';
import { jobLength } from '../wire/packing.js';
import { processTicker } from '../wire/ticker.js';
import { jobTransferList } from '../wire/transfer.js';
import type { JobControl } from './backend.js';
import { type RecycleCause, type WorkerEndReason, WorkerLog } from './worker-log.js';

/** One worker as an adapter starts it: runs one job at a time. */
export interface SlotWorker {
  /**
   * Runs a job on this worker; rejects only if the job could not be sent (e.g.
   * a DataCloneError). `transfer` lists the job's ArrayBuffers to move instead
   * of copy (e.g. `postMessage(job, transfer)`, piscina's `transferList`); it is
   * empty unless the backend declares `capabilities.transfers`.
   */
  run(job: Job, transfer: readonly ArrayBuffer[]): Promise<JobResult>;
  /**
   * Stops the worker now; resolves once it has exited. Called at any time:
   * while the worker starts, runs a job or is idle, and after it died (then it
   * must still resolve). The core waits at most `stopTimeoutMs` for it.
   */
  stop(): Promise<void>;
  /**
   * Resolves when the worker is up. A worker that dies before this is a failed
   * start. Without it, a worker that dies before finishing any job counts as one.
   */
  readonly ready?: Promise<void>;
  /** While `true`, the worker keeps the caller's program alive (idle workers need not). */
  keepAlive?(alive: boolean): void;
  /** The worker's OS process id, if the adapter knows it before the first job (insights learn it from results otherwise). */
  readonly pid?: number | undefined;
  /** The worker's thread id, likewise. */
  readonly threadId?: number | undefined;
}

/** What the core asks of a worker it starts. */
export interface WorkerTerms {
  /**
   * The most jobs the core has on this worker at once (1, or more when the
   * backend declares `jobsAhead`): a library that limits tasks per worker must
   * allow this many (piscina's `concurrentTasksPerWorker`), or it would hold
   * some back in its own queue.
   */
  readonly jobsAtOnce: number;
}

/** Starts a worker; the worker calls `crashed` if it dies on its own. */
export type SpawnWorker<W extends SlotWorker = SlotWorker> = (
  crashed: (error: WorkerCrashedError) => void,
  terms: WorkerTerms,
) => W;

/** Options of {@link WorkerSlots}. */
export interface WorkerSlotsOptions<W extends SlotWorker = SlotWorker> {
  /** Number of workers. */
  readonly size: number;
  /** Replace a worker after this many jobs. */
  readonly maxJobs: number | undefined;
  /** Starts one worker (the adapter's part). */
  readonly spawn: SpawnWorker<W>;
  /** Failed starts in a row after which the pool stops respawning until the next call. Default 3. */
  readonly maxFailedStarts?: number;
  /**
   * How long `close()`/`terminate()` wait for one worker's `stop()` (a library
   * whose stop never resolves must not hang the pool). Default 10 s.
   */
  readonly stopTimeoutMs?: number;
  /** Hand each worker its job's transfer list (the core's packed buffers, values marked with `transfer()`). Default false. */
  readonly transfers?: boolean;
  /**
   * Keep jobs ahead on each busy worker (thread workers only: see wire/jobs-ahead.ts).
   * The adapter's `run` must hand a busy worker its next jobs at once (up to
   * `WorkerTerms.jobsAtOnce`), and the worker entry must run jobs through `runJob`.
   * Default false.
   */
  readonly ahead?: boolean;
  /**
   * Milliseconds a task gets after its signal aborted (its timeout passed)
   * before its worker is stopped and replaced. Default 1000.
   */
  readonly grace?: number;
  /** Retire a worker whose heap is above this many MB after a job. */
  readonly maxMemoryMB?: number | undefined;
  /**
   * Give each worker a clock in shared memory (thread workers only: see
   * wire/deadlines.ts), so that a worker whose late task returned within the
   * grace period is kept. Default false: such a worker is replaced.
   */
  readonly clocks?: boolean;
  /**
   * Tell a worker process that its caller cancelled the job it runs with a signal
   * (ABORT_PROCESS_SIGNAL, see wire/deadlines.ts), so its task calls' signals abort; thread
   * workers hear it through their clock. Default false.
   */
  readonly processSignals?: boolean;
  /**
   * Workers are processes on this machine: a job with a timeout or `resend` gets a notes path
   * (`Job.notes`, wire/notes.ts), where the worker records its ended items and its watch thread
   * names a call stuck past its timeout before it kills the process. Default false.
   */
  readonly notes?: boolean;
}

/** ABORT_PROCESS_SIGNAL's number (SIGUSR2 on Linux). */
const ABORT_PROCESS_SIGNAL_NUMBER = osConstants.signals[ABORT_PROCESS_SIGNAL];

/**
 * Whether process `pid` catches signal `signal` (Linux: the SigCgt mask of /proc/PID/status);
 * false where that cannot be read.
 */
function catchesSignal(pid: number, signal: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

const NO_TRANSFER: readonly ArrayBuffer[] = Object.freeze([]);

/** How much longer the caller waits for a job on a worker that has not said it is up (its start-up is not the task's time). */
const STARTUP_ALLOWANCE_MS = 10_000;

/** A WorkerCrashedError for a worker that died of `error` (an uncaught exception, out of memory...). */
export function crashError(error: unknown): WorkerCrashedError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'it failed with a non-Error value';
  const crash = new WorkerCrashedError({ reason });
  crash.cause = error;
  return crash;
}

interface Pending {
  readonly job: Job;
  readonly control: JobControl;
  resolve(result: JobResult): void;
  reject(error: unknown): void;
  stopListening?: () => void;
  /** The job's notes path, on a worker process (see `WorkerSlotsOptions.notes`). */
  notes?: string | undefined;
}

/** A job as sent to one worker. */
interface Sent extends JobInLine {
  readonly pending: Pending;
  /** Its number on its worker (the clock's cancellation names it). */
  readonly token: number;
}

interface Slot<W extends SlotWorker> {
  worker: W;
  /** The job the worker runs and, with jobs ahead, those it holds to start after it (wire/jobs-ahead.ts). */
  line: WorkerLine<Sent>;
  jobs: number;
  ready: boolean;
  retired: boolean;
  /** The worker's id in the log. */
  logId: number;
  /**
   * The worker is to be retired once the outcomes of the jobs it still runs are in (the jobs it had
   * not started went elsewhere): how many are still to come, and why it is retired. `undefined`:
   * no such stop.
   */
  stopAfter: { outcomes: number; reason: WorkerEndReason; cause?: RecycleCause } | undefined;
  /** With clocks: the worker's clock, where it counts its lingering task calls. */
  clock: Int32Array | undefined;
  /** The caller's own watch over the head job's timeout (a worker stuck in a synchronous task cannot answer). */
  watch: NodeJS.Timeout | undefined;
  /** Task calls past their timeout still run on the worker: it gets nothing new until this grace period ends. */
  notice: NodeJS.Timeout | undefined;
  /** Jobs sent to this worker (each job's token). */
  tokens: number;
  /** The worker's process id, once known (a worker process is told of a cancellation by a signal to it). */
  pid: number | undefined;
  /**
   * The head job, whose task calls' signals were aborted (its call was cancelled): the worker gets
   * nothing new until it answers, and is stopped if it has not after the grace period (`graceTimer`).
   */
  aborting: Sent | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  /** Called once the head job has ended (answered, or its worker stopped): what terminate() waits for. */
  freed: (() => void)[];
}

/**
 * The part of a Backend every adapter shares: `size` workers, one job each at a
 * time, the few jobs the core has handed over ahead (each cancellable until it
 * starts), and the contract's worker rules — a worker is replaced after
 * `maxJobs` jobs, when it dies (only its job fails, with WorkerCrashedError), and
 * when its running job is aborted; workers that keep dying while starting stop
 * being respawned (their jobs fail with WorkerStartupError) until the next call.
 *
 * With `ahead`, a busy thread worker also holds its next jobs, so it starts
 * each without waiting for the caller's thread; each such job has a gate
 * (wire/jobs-ahead.ts) that says whether it started there. A job ahead that
 * never started goes to another worker if a worker fell idle, or if its own one
 * dies or is stopped.
 *
 * An adapter supplies only `spawn`: how to start one worker with its library,
 * run a job on it, stop it, and tell when it died.
 */
export class WorkerSlots<W extends SlotWorker = SlotWorker> {
  readonly #options: WorkerSlotsOptions<W>;
  readonly #maxFailedStarts: number;
  readonly #terms: WorkerTerms;
  readonly #slots: Slot<W>[] = [];
  /** Jobs the core handed over that wait for a free worker (the core keeps the rest). */
  readonly #ready: Pending[] = [];
  readonly #exiting = new Set<Promise<void>>();
  #state: 'running' | 'closing' | 'stopped' = 'running';
  #failedStarts = 0;
  #lastStartFailure: WorkerCrashedError | undefined;
  #drained: (() => void) | undefined;
  /** Every worker's life, for insights and events. */
  readonly log = new WorkerLog();

  constructor(options: WorkerSlotsOptions<W>) {
    this.#options = options;
    this.#terms = Object.freeze({ jobsAtOnce: jobsAtOnce(options.ahead === true) });
    this.#maxFailedStarts = options.maxFailedStarts ?? 3;
    // Workers start when work comes, as many as it needs (up to `size`): a pool
    // of 100 for three items starts three, and creating a pool never blocks.
  }

  /** The live workers (for adapters that expose, e.g., process ids). */
  get workers(): W[] {
    return this.#slots.map((slot) => slot.worker);
  }

  /** Queues a job for the next free worker (starting one if fewer than `size` run); settles with its result. */
  run(job: Job, control: JobControl): Promise<JobResult> {
    if (this.#state === 'stopped') return Promise.reject(new PoolStateError('The pool was stopped: create a new one'));
    if (control.cancelled) return Promise.reject(control.reason);
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, control, resolve, reject };
      pending.stopListening = control.onCancel(() => this.#cancel(pending));
      this.#ready.push(pending);
      // Workers that failed to start are tried again on each new call.
      this.#grow();
      this.#pump();
    });
  }

  /** Finishes what was queued, then stops every worker. */
  async close(): Promise<void> {
    if (this.#state === 'running') this.#state = 'closing';
    for (const slot of this.#slots) slot.worker.keepAlive?.(true);
    if (this.#busy()) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#stopAll();
  }

  /**
   * Rejects everything with PoolTerminatedError and stops every worker: at once, except a worker
   * whose running task calls were told through their signals (the core cancelled their jobs first),
   * which gets until its job ends, at most the grace period.
   */
  async terminate(): Promise<void> {
    this.#state = 'stopped';
    for (const pending of this.#ready.splice(0)) this.#settle(pending, new PoolTerminatedError());
    const ending: Promise<void>[] = [];
    for (const slot of this.#slots) {
      for (const sent of slot.line.dropWaiting().dropped) this.#settle(sent.pending, new PoolTerminatedError());
      if (slot.aborting && slot.line.head === slot.aborting) {
        ending.push(new Promise((resolve) => slot.freed.push(resolve)));
      }
      for (const sent of slot.line.all()) this.#reject(sent.pending, new PoolTerminatedError());
    }
    await Promise.all(ending);
    await this.#stopAll();
  }

  #busy(): boolean {
    return this.#ready.length > 0 || this.#slots.some((slot) => slot.line.all().length > 0);
  }

  /** Starts workers while jobs wait that no worker (up or starting) is free for, up to `size`. */
  #grow(): void {
    let free = 0;
    for (const slot of this.#slots) if (!slot.line.head) free++;
    while (this.#slots.length < this.#options.size && free < this.#ready.length) {
      this.#slots.push(this.#spawn());
      free++;
    }
  }

  #spawn(replaces?: number): Slot<W> {
    const slot = {
      line: new WorkerLine<Sent>(this.#options.ahead === true),
      jobs: 0,
      ready: false,
      retired: false,
      stopAfter: undefined,
      clock: this.#options.clocks ? newClock() : undefined,
      watch: undefined,
      notice: undefined,
      tokens: 0,
      pid: undefined,
      aborting: undefined,
      graceTimer: undefined,
      freed: [],
    } as unknown as Slot<W>;
    slot.logId = this.log.spawned(replaces);
    slot.worker = this.#options.spawn((error) => this.#crash(slot, error), this.#terms);
    this.log.identify(slot.logId, { pid: slot.worker.pid, threadId: slot.worker.threadId });
    // A worker that cannot say when it is up counts as up at once (told after the pool has subscribed).
    if (!slot.worker.ready) queueMicrotask(() => this.log.ready(slot.logId));
    slot.worker.keepAlive?.(this.#state !== 'running');
    slot.worker.ready?.then(
      () => {
        if (slot.retired) return;
        slot.ready = true;
        this.#failedStarts = 0;
        this.log.identify(slot.logId, { pid: slot.worker.pid, threadId: slot.worker.threadId });
        this.log.ready(slot.logId);
        this.#pump();
      },
      () => {},
    );
    return slot;
  }

  #pump(): void {
    for (const slot of this.#slots) {
      // A worker that says when it is up gets work only then: if it fails to
      // start, the job waits for a replacement instead of failing with it.
      // A worker to be stopped once its jobs' outcomes are in gets no more.
      if (slot.line.head || (slot.worker.ready && !slot.ready) || slot.stopAfter !== undefined || slot.notice) continue;
      const next = this.#ready.shift() ?? this.#takeBack(slot);
      if (!next) break;
      this.#send(slot, next, false);
    }
    if (this.#options.ahead) {
      handOutAhead(this.#slots, this.#ready, (slot, next) => {
        if (!this.#takesAhead(slot, next.job)) return false;
        this.#send(slot, next, true);
        return true;
      });
    }
    // Idle workers keep the program alive only while work waits for them (or the pool is closing).
    const hold = this.#ready.length > 0 || this.#state !== 'running';
    for (const slot of this.#slots) if (!slot.line.head) slot.worker.keepAlive?.(hold);
    if (this.#drained && !this.#busy()) this.#drained();
  }

  /** Whether `slot` can hold `job` ahead: a busy, started worker with room left before it is recycled. */
  #takesAhead(slot: Slot<W>, job: Job): boolean {
    if (
      !slot.line.head ||
      !slot.ready ||
      slot.retired ||
      slot.stopAfter !== undefined ||
      slot.notice ||
      slot.aborting
    ) {
      return false;
    }
    const { maxJobs } = this.#options;
    if (maxJobs !== undefined && slot.jobs + slot.line.ahead.length + 2 > maxJobs) return false;
    return slot.line.takesAhead(job);
  }

  /** For an idle worker with nothing waiting: a job held ahead on another worker that has not started there. */
  #takeBack(idle: Slot<W>): Pending | undefined {
    return takeBack(this.#slots.filter((slot) => slot !== idle).map((slot) => slot.line))?.pending;
  }

  /** Sends `pending` to `slot`'s worker, to run now or, `ahead`, after the job it runs. */
  #send(slot: Slot<W>, pending: Pending, ahead: boolean): void {
    let { job, cell } = slot.line.open(pending.job);
    const token = ++slot.tokens;
    if (slot.clock) {
      const ticker = job.timeout !== undefined ? processTicker() : undefined;
      job = ticker ? { ...job, clock: slot.clock, token, ticker } : { ...job, clock: slot.clock, token };
    }
    if (this.#options.maxMemoryMB !== undefined) job = { ...job, heap: true };
    if (this.#options.notes && (job.timeout !== undefined || job.resendKey !== undefined)) {
      pending.notes ??= notesPath(job.resendKey);
      job = { ...job, notes: pending.notes, grace: this.#grace };
    }
    const sent: Sent = { pending, cell, dropped: false, token };
    if (ahead) slot.line.add(sent, true);
    else this.#begin(slot, sent);
    slot.worker.keepAlive?.(true);
    // Counted now: the job's packed buffers may be moved to the worker (then empty here).
    const items = jobLength(pending.job);
    // A job ahead is copied, so that it can still go elsewhere if it never starts there.
    const transfer =
      this.#options.transfers && !ahead && !pending.job.resend ? jobTransferList(pending.job) : NO_TRANSFER;
    slot.worker.run(job, transfer).then(
      (result) => this.#answered(slot, sent, items, result),
      (error: unknown) => this.#refused(slot, sent, error),
    );
  }

  /** `sent` becomes the job `slot`'s worker runs. */
  #begin(slot: Slot<W>, sent: Sent): void {
    slot.line.add(sent, false);
    this.log.busy(slot.logId);
    sent.pending.control.started();
    this.#watch(slot, sent);
  }

  /**
   * With a timeout, the caller watches the job too: a worker stuck in a synchronous task past its
   * time cannot answer. A thread worker's clock says which call of the job runs and since when
   * (its stall board, wire/deadlines.ts): a call that has run for the timeout and the grace period
   * fails the job with TaskTimeoutError at its index, and the worker is stopped and replaced. A
   * worker process's own watch thread does that judging (the caller hears of it when the process
   * dies, see #crash). Where nothing says which call runs (a worker process whose watch did not
   * speak, an async task stuck after an await, a worker still loading its task), the job is
   * judged whole: not answered by jobDeadline, it fails at its first item.
   */
  #watch(slot: Slot<W>, sent: Sent): void {
    this.#unwatch(slot);
    const { job } = sent.pending;
    const timeout = job.timeout;
    if (timeout === undefined) return; // nothing to watch
    const whole = jobDeadline(job, jobLength(job), this.#grace) as number;
    const limit = Math.min(MAX_TIMER_MS, timeout + this.#grace);
    const ticker = slot.clock ? processTicker() : undefined;
    const deadline = slot.clock ? whole : Math.min(MAX_TIMER_MS, whole + PROCESS_WATCH_MARGIN_MS);
    const since = performance.now();
    const arm = (ms: number) => {
      slot.watch = setTimeout(fire, Math.max(1, Math.min(MAX_TIMER_MS, ms)));
      slot.watch.unref();
    };
    const fire = () => {
      slot.watch = undefined;
      if (slot.line.head !== sent || slot.retired) return;
      if (slot.clock && ticker) {
        // The job whose call runs: this one, or one held ahead that started after it ended (its
        // answer not heard yet: a worker stuck in the next job may not have sent it).
        const token = Atomics.load(slot.clock, STALL.job);
        const running = token === sent.token ? sent : slot.line.ahead.find((each) => each.token === token);
        const now = Math.floor(performance.timeOrigin + performance.now()) - ticker.base;
        const stall = running && judgeStall(slot.clock, running.token, now, limit);
        if (stall && 'stuck' in stall) return this.#stuck(slot, running as Sent, stall.stuck);
        if (stall) return arm(stall.left);
      }
      // A worker not known to be up yet (one that cannot say when it is), or on its first job (loading
      // the task's module, running the initializer), may still be starting: that is not the task's
      // time. It gets STARTUP_ALLOWANCE_MS more before it is judged stuck.
      const bound = !slot.ready || slot.jobs === 0 ? deadline + STARTUP_ALLOWANCE_MS : deadline;
      const elapsed = performance.now() - since;
      if (elapsed < bound) return arm(Math.min(bound - elapsed, slot.clock ? Math.min(limit, 1000) : bound));
      // A worker process with no watch thread noted which call it runs; otherwise the job's first item is named.
      const noted = sent.pending.notes !== undefined ? takeCallNote(sent.pending.notes) : undefined;
      this.#stuck(slot, sent, noted ?? 0);
    };
    arm(slot.clock && ticker ? limit : deadline);
  }

  /**
   * Call `index` of `stuck`, a job on `slot`'s worker, never returned: the job fails with
   * TaskTimeoutError, and the worker is stopped and replaced. Jobs before it on that worker (held
   * ahead) had ended there, their answers lost with it, and those after it had not started: they
   * run elsewhere.
   */
  #stuck(slot: Slot<W>, stuck: Sent, index: number): void {
    const { job } = stuck.pending;
    const error = timeoutError(taskLabel(job.task), index, job.timeout as number);
    const ended = endedBefore(stuck.pending, index, error);
    if (ended) this.#settle(stuck.pending, undefined, ended);
    else this.#settle(stuck.pending, error);
    this.#retire(slot, 'timeout');
    this.#pump();
  }

  #unwatch(slot: Slot<W>): void {
    if (slot.watch) clearTimeout(slot.watch);
    slot.watch = undefined;
  }

  get #grace(): number {
    return this.#options.grace ?? DEFAULT_GRACE_MS;
  }

  /**
   * The worker answered with task calls past their timeout still running (they ignore their
   * signal): it gets nothing new for the grace period, then is stopped and replaced, unless its
   * clock says they have all returned.
   */
  #putOnNotice(slot: Slot<W>): void {
    if (slot.notice) return;
    slot.notice = setTimeout(() => {
      slot.notice = undefined;
      if (slot.retired) return;
      if (slot.clock && lingeringOn(slot.clock) === 0) this.#pump();
      else {
        this.#retire(slot, 'timeout');
        this.#pump();
      }
    }, this.#grace);
    slot.notice.unref();
  }

  #answered(slot: Slot<W>, sent: Sent, items: number, result: JobResult): void {
    if (sent.dropped) {
      this.#skipped(slot, sent);
      return;
    }
    if (!slot.line.has(sent)) return; // aborted, crashed or terminated meanwhile
    const head = slot.line.head === sent;
    slot.jobs += 1;
    slot.ready = true;
    slot.line.answered();
    this.#failedStarts = 0;
    if (result.ran) {
      this.log.identify(slot.logId, result.ran.worker);
      slot.pid = result.ran.worker.pid;
    }
    this.log.ready(slot.logId);
    this.log.idle(slot.logId, items, result.loadMs);
    if (head) this.#ended(slot);
    else slot.line.remove(sent); // a job ahead whose predecessors were settled without waiting for the worker
    const { maxJobs, maxMemoryMB } = this.#options;
    if (slot.stopAfter) this.#stopsNow(slot);
    else if (maxJobs !== undefined && slot.jobs >= maxJobs) this.#retireWhenFree(slot, 'recycle', 'maxtasksperchild');
    else if (maxMemoryMB !== undefined && (result.heapMB ?? 0) > maxMemoryMB) {
      this.#retireWhenFree(slot, 'recycle', 'maxmemoryperchild');
    } else if (result.lingering) this.#putOnNotice(slot);
    this.#settle(sent.pending, undefined, result);
    this.#pump();
  }

  /** One more outcome of `slot`, whose worker is to be retired, is in: retires it if that was the last one. */
  #stopsNow(slot: Slot<W>): void {
    const stop = slot.stopAfter;
    if (stop === undefined) return;
    stop.outcomes -= 1;
    if (stop.outcomes <= 0) this.#retire(slot, stop.reason, undefined, undefined, stop.cause);
  }

  /**
   * Retires `slot`'s worker once what it runs has ended: the jobs it holds and has not started go
   * elsewhere now, first in line; those it started (jobs ahead that began after the one it
   * answered) end there first. It gets nothing new meanwhile.
   */
  #retireWhenFree(slot: Slot<W>, reason: WorkerEndReason, cause?: RecycleCause): void {
    const { dropped, staying } = slot.line.dropWaiting();
    this.#ready.unshift(...dropped.map((sent) => sent.pending));
    if (staying === 0) this.#retire(slot, reason, undefined, undefined, cause);
    else slot.stopAfter = { outcomes: staying, reason, cause };
  }

  /** The worker skipped a dropped job (cancelled, or given to another worker): its cell is free again. */
  #skipped(slot: Slot<W>, sent: Sent): void {
    if (slot.retired) return;
    slot.line.skipped(sent);
    this.#pump();
  }

  /** The head of `slot` has ended: the first job ahead, if any, is the one its worker runs now. */
  #ended(slot: Slot<W>): void {
    this.#unwatch(slot);
    this.#freed(slot);
    const next = slot.line.advance();
    if (next) this.#begin(slot, next);
  }

  /** The head job of `slot` has ended, or its worker is stopped: its grace period, if any, is over. */
  #freed(slot: Slot<W>): void {
    if (slot.graceTimer) clearTimeout(slot.graceTimer);
    slot.graceTimer = undefined;
    slot.aborting = undefined;
    for (const done of slot.freed.splice(0)) done();
  }

  /**
   * Tells `slot`'s worker that the job `sent`, which it runs, is cancelled: the signals of its task
   * calls abort. False when the worker cannot be told (a worker process that has not answered a job
   * yet, so may not listen; a backend without clocks or process signals).
   */
  #tell(slot: Slot<W>, sent: Sent, why: AbortWhy): boolean {
    if (slot.clock) {
      cancelOnClock(slot.clock, sent.token, why);
      return true;
    }
    const pid = slot.pid ?? slot.worker.pid;
    if (!this.#options.processSignals || pid === undefined || pid === process.pid) return false;
    // Before its first answer, only a worker process known to listen is told (the signal's default is to end it).
    if (slot.jobs === 0 && !catchesSignal(pid, ABORT_PROCESS_SIGNAL_NUMBER)) return false;
    try {
      process.kill(pid, ABORT_PROCESS_SIGNAL);
      return true;
    } catch {
      return false; // gone already: its exit is on its way
    }
  }

  /**
   * The head job of `slot` is cancelled and its worker was told: it gets nothing new until the job
   * ends, and if it has not after the grace period (a task that ignores its signal, or a synchronous
   * one that cannot hear it), it is stopped and replaced; the jobs it held ahead go elsewhere.
   */
  #giveGrace(slot: Slot<W>, sent: Sent): void {
    if (slot.aborting) return;
    slot.aborting = sent;
    slot.graceTimer = setTimeout(() => {
      slot.graceTimer = undefined;
      if (slot.aborting !== sent || slot.retired) return;
      this.#settle(sent.pending, sent.pending.control.reason);
      this.#retire(slot, 'abort');
      this.#pump();
    }, this.#grace);
    slot.graceTimer.unref();
  }

  /** Rejects `pending` now, leaving its job where it is (its worker still runs it: its answer is dropped). */
  #reject(pending: Pending, error: unknown): void {
    pending.stopListening?.();
    pending.reject(error);
  }

  #refused(slot: Slot<W>, sent: Sent, error: unknown): void {
    if (sent.dropped) {
      this.#skipped(slot, sent);
      return;
    }
    if (!slot.line.has(sent)) return;
    const head = slot.line.head === sent;
    // An argument that cannot be cloned is refused before it reaches the worker, which lives on.
    const refused = error instanceof CloneError || (error as Error | undefined)?.name === 'CloneError';
    if (!refused && !isDataCloneError(error)) {
      this.#crash(slot, crashError(error));
      return;
    }
    if (head) {
      this.log.idle(slot.logId, 0);
      this.#ended(slot);
    } else slot.line.remove(sent);
    this.#stopsNow(slot);
    this.#settle(sent.pending, refused ? error : toCloneError(error, 'argument', sent.pending.job));
    this.#pump();
  }

  #settle(pending: Pending, error: unknown, result?: JobResult): void {
    pending.stopListening?.();
    // A job sent again after a crash reads its record file: kept until it ends otherwise.
    if (
      pending.notes !== undefined &&
      pending.job.resendKey !== undefined &&
      (error as Error | undefined)?.name !== 'WorkerCrashedError'
    )
      removeRecord(pending.notes);
    for (const slot of this.#slots) {
      for (const sent of slot.line.all()) {
        if (sent.pending !== pending) continue;
        if (slot.line.head === sent) this.#unwatch(slot);
        slot.line.remove(sent);
      }
    }
    if (result) pending.resolve(result);
    else pending.reject(error);
  }

  /** The core cancelled a job: one not started never starts; a running one is stopped only if asked to. */
  #cancel(pending: Pending): void {
    const index = this.#ready.indexOf(pending);
    if (index >= 0) {
      this.#ready.splice(index, 1);
      this.#settle(pending, pending.control.reason);
      this.#pump();
      return;
    }
    const ahead = this.#heldAhead(pending);
    if (ahead) {
      const { slot: holder, index } = ahead;
      const sent = holder.line.ahead[index] as Sent;
      if (holder.line.drop(sent)) {
        // Not started: its worker skips it.
        this.#settle(pending, pending.control.reason);
        this.#pump();
        return;
      }
      if (!pending.control.stopRequested) {
        // It runs to the end (its signals abort); the core drops its result.
        this.#tell(holder, sent, ABORT_WHY.cancelled);
        return;
      }
      // Started, so the jobs before it have ended in the worker, unseen here: stop the worker once
      // their outcomes are in. The jobs after it have not started (it runs): they go elsewhere now.
      this.#tell(holder, sent, ABORT_WHY.aborted);
      this.#settle(pending, pending.control.reason);
      this.#retireWhenFree(holder, 'abort');
      this.#pump();
      return;
    }
    const running = this.#slots.find((slot) => slot.line.head?.pending === pending);
    if (!running) return;
    const head = running.line.head as Sent;
    const { stopRequested, reason } = pending.control;
    const why = !stopRequested
      ? ABORT_WHY.cancelled
      : reason instanceof PoolTerminatedError
        ? ABORT_WHY.terminated
        : ABORT_WHY.aborted;
    if (running.aborting === head || (!running.retired && this.#tell(running, head, why))) {
      // Its task calls' signals abort: they get the grace period to end. A stop tells the caller at once.
      this.#giveGrace(running, head);
      if (stopRequested) this.#reject(pending, reason);
      return;
    }
    if (!stopRequested) return; // it runs to the end; the core drops its result
    const first = running.line.ahead[0];
    if (first && !running.line.drop(first)) {
      // The first job ahead has started: the head has ended in the worker (it counts), its outcome is on its way. Nothing to stop.
      running.jobs += 1;
      this.#settle(pending, pending.control.reason);
      return;
    }
    this.#settle(pending, pending.control.reason);
    // Stop the worker that was running it; a fresh one takes its place. Its jobs ahead go elsewhere, first in line.
    this.#retire(running, 'abort');
    if (first) this.#ready.unshift(first.pending);
    this.#pump();
  }

  /** The worker holding `pending` ahead, and its place in that worker's line. */
  #heldAhead(pending: Pending): { slot: Slot<W>; index: number } | undefined {
    for (const slot of this.#slots) {
      const index = slot.line.ahead.findIndex((sent) => sent.pending === pending);
      if (index >= 0) return { slot, index };
    }
    return undefined;
  }

  #crash(slot: Slot<W>, error: WorkerCrashedError): void {
    if (slot.retired) return;
    const head = slot.line.head;
    // A worker process whose watch found a call stuck past its timeout noted its index, then killed it.
    const stuck = head?.pending.notes !== undefined ? takeTimeoutNote(head.pending.notes) : undefined;
    if (head && stuck !== undefined) {
      this.#stuck(slot, head, stuck);
      return;
    }
    if (head?.pending.notes !== undefined) takeCallNote(head.pending.notes); // a note of the call it died in: not needed
    const failedStart = slot.worker.ready ? !slot.ready : slot.jobs === 0 && !head;
    if (failedStart) {
      this.#failedStarts++;
      this.#lastStartFailure = error;
    }
    const giveUp = this.#failedStarts >= this.#maxFailedStarts;
    // Only the job the worker was running dies with it (see #retire).
    this.#retire(slot, 'crash', this.#state !== 'stopped' && !giveUp, error);
    if (giveUp && this.#slots.length === 0) {
      // No worker can start: fail what waits rather than respawn in a loop.
      for (const waiting of this.#ready.splice(0)) this.#settle(waiting, this.#startError());
    }
    this.#pump();
  }

  #startError(): WorkerStartupError {
    return new WorkerStartupError(this.#failedStarts, this.#lastStartFailure);
  }

  /**
   * Stops a slot's worker and, if `replace`, starts a fresh one in its place. Of the jobs it still
   * held, those it was running fail with `error` (or a WorkerCrashedError that says it was stopped);
   * the others (not started, or ended with their answers lost: jobs ahead) go to another worker,
   * first in line, in their order.
   */
  #retire(
    slot: Slot<W>,
    reason: WorkerEndReason,
    replace = this.#state !== 'stopped',
    error?: Error,
    cause?: RecycleCause,
  ): void {
    if (slot.retired) return;
    slot.retired = true;
    this.#unwatch(slot);
    this.#freed(slot);
    if (slot.notice) clearTimeout(slot.notice);
    slot.notice = undefined;
    const { again, lost } = slot.line.release();
    const failure = error ?? crashError(new Error(`the worker was stopped (${reason}) while it ran this job`));
    for (const sent of lost) this.#settle(sent.pending, failure);
    if (this.#state === 'stopped') for (const sent of again) this.#settle(sent.pending, new PoolTerminatedError());
    else this.#ready.unshift(...again.map((sent) => sent.pending));
    const index = this.#slots.indexOf(slot);
    let replacement: Slot<W> | undefined;
    if (replace) {
      replacement = this.#spawn(slot.logId);
      this.#slots[index] = replacement;
    } else this.#slots.splice(index, 1);
    this.log.ended(slot.logId, reason, error, replacement?.logId, cause);
    let stopping: Promise<void>;
    try {
      stopping = slot.worker.stop();
    } catch (error) {
      stopping = Promise.reject(error);
    }
    const ms = this.#options.stopTimeoutMs ?? 10_000;
    const exiting = settlesWithin(stopping, ms).then((stopped) => {
      if (!stopped) this.#warnStopTimeout(ms);
      this.log.exited(slot.logId);
    });
    this.#exiting.add(exiting);
    void exiting.then(() => this.#exiting.delete(exiting));
  }

  #warnedStopTimeout = false;

  /** Once per pool: a worker's stop() outlived the bound, so the pool went on without knowing whether it ended. */
  #warnStopTimeout(ms: number): void {
    if (this.#warnedStopTimeout) return;
    this.#warnedStopTimeout = true;
    process.emitWarning(
      `A worker did not stop within ${ms} ms (its library's stop never finished); the pool went on without it, and it may still be running. If this repeats, report it with the backend's name.`,
      { code: 'PARAPOOL_STOP_TIMEOUT' },
    );
  }

  async #stopAll(): Promise<void> {
    this.#state = 'stopped';
    for (const slot of [...this.#slots]) this.#retire(slot, 'stop', false);
    await Promise.all(this.#exiting);
  }
}

/**
 * The outcome of a job whose call `index` got stuck past its timeout, when its worker recorded
 * each item as it ended (a call that yields each result, `imap`: see `Terms.yieldsEach`): the
 * items before it as they ended, then `error` for it and for those after it, which never ran
 * (the call fails there). Undefined where nothing was recorded, or an item before it was not
 * (a value the record cannot keep): the job then fails whole with `error`.
 */
function endedBefore(pending: Pending, index: number, error: Error): JobResult | undefined {
  const { job } = pending;
  if (index === 0 || !job.resend) return undefined;
  const reader = jobRecorder(job, pending.notes);
  if (!reader) return undefined;
  const n = jobLength(job);
  const values = new Array<unknown>(n);
  const failures: ItemFailure[] = [];
  for (let i = 0; i < index; i++) {
    const outcome = reader.recorded(i);
    if (!outcome) return undefined;
    if ('value' in outcome) values[i] = outcome.value;
    else failures.push({ index: i, error: outcome.failure });
  }
  const failed = serializeError(error);
  for (let i = index; i < n; i++) failures.push({ index: i, error: failed });
  return { values, failures };
}
