/**
 * The jobs-ahead protocol, both of its sides: a busy worker thread holds up to
 * {@link JOBS_AHEAD} jobs besides the one it runs, and starts each as soon as
 * the one before it ends, without waiting for the caller's thread.
 *
 * Each job on such a worker has a cell of shared memory, its gate. The cell
 * starts `waiting` and is flipped once by compare-and-swap: to `started` by the
 * worker when it begins the job, or to `dropped` by the caller when the job is
 * cancelled or given to another worker first. Whoever flips it first decides.
 * The worker then stores `ended` once the job's outcome is ready, before its
 * answer is on its way: if the worker dies with that answer unread, the caller
 * knows the job did not die with it, and runs it again elsewhere.
 *
 * The caller's side is {@link WorkerLine} (one per worker, used by the core's
 * WorkerSlots: the job a worker runs, those it holds ahead, and its
 * {@link WorkerGate}); the worker's side is {@link runInTurn} (used by
 * `runJob`). Nothing else knows the cells, the depth, or how a job held ahead
 * is dropped, taken back or reclaimed from a worker that died.
 */
import { whenNoneLinger } from './deadlines.js';
import type { Job, JobResult } from './job.js';
import { copyableAhead } from './transfer.js';

/** The states of a gate cell. */
export const GATE = { waiting: 0, started: 1, dropped: 2, ended: 3 } as const;

/**
 * How many jobs a busy worker holds besides the one it runs. Three keep both
 * workers of a small map going while the caller's thread is not scheduled (a
 * map of 8 chunks on 2 workers is handed over whole), and leave gate cells for
 * dropped jobs a worker has yet to skip.
 */
export const JOBS_AHEAD = 3;

/**
 * The most jobs a worker has at once: the one it runs, those ahead, and dropped
 * ones it has yet to skip. One gate cell each. A library that limits tasks per
 * worker must allow this many (the core tells an adapter as `jobsAtOnce`).
 */
export const MAX_JOBS_ON_A_WORKER = 8;

/** How many jobs a worker is given at most at once, the one it runs included: 1 without jobs ahead. */
export function jobsHeld(ahead: boolean): number {
  return ahead ? 1 + JOBS_AHEAD : 1;
}

/** How many jobs a worker's library must let it have at once (its gate cells), or 1 without jobs ahead. */
export function jobsAtOnce(ahead: boolean): number {
  return ahead ? MAX_JOBS_ON_A_WORKER : 1;
}

/** Packed data at most this large is copied to a job ahead (moving it would leave nothing to send elsewhere). */
const AHEAD_COPY_BYTES = 256 * 1024;

/** The caller's side of one worker's gate: its cells, and the dropped jobs the worker has yet to skip. */
export class WorkerGate {
  readonly #cells = new Int32Array(new SharedArrayBuffer(4 * MAX_JOBS_ON_A_WORKER));
  /** The worker keeps the cells from the first job that carries them, until it has answered one. */
  #known = false;
  /** Cells of dropped jobs the worker has yet to skip (a cell is reused only once its job is answered). */
  readonly #skipping = new Set<number>();

  /**
   * Whether the worker, holding `held` jobs ahead, can take `job` ahead too: one
   * cell for it and one kept free for the next job it runs, and a job that can
   * be copied (a job ahead is copied, so that it can still go elsewhere).
   */
  takesAhead(job: Job, held: number): boolean {
    if (held >= JOBS_AHEAD) return false;
    if (MAX_JOBS_ON_A_WORKER - this.#skipping.size - 1 - held < 2) return false;
    return copyableAhead(job, AHEAD_COPY_BYTES);
  }

  /** `job` as sent to the worker: with a free cell (none of `inUse`), set to waiting. */
  open(job: Job, inUse: readonly (number | undefined)[]): { job: Job; cell: number } {
    const cell = this.#freeCell(inUse);
    Atomics.store(this.#cells, cell, GATE.waiting);
    return { job: this.#known ? { ...job, gate: cell } : { ...job, gate: cell, gateCells: this.#cells }, cell };
  }

  /** Flips `cell` to dropped (the worker will skip its job); false if the worker started it first. */
  drop(cell: number): boolean {
    if (Atomics.compareExchange(this.#cells, cell, GATE.waiting, GATE.dropped) !== GATE.waiting) return false;
    this.#skipping.add(cell);
    return true;
  }

  /**
   * For a worker that died or is being stopped: whether the job of `cell` can run
   * elsewhere — it had not started (dropped here), or it had ended and its answer
   * was lost with the worker. False for the job the worker was running.
   */
  reclaim(cell: number): boolean {
    return this.drop(cell) || Atomics.load(this.#cells, cell) === GATE.ended;
  }

  /** The worker answered a job: it has its cells. */
  answered(): void {
    this.#known = true;
  }

  /** The worker skipped a dropped job: its cell is free again. */
  skipped(cell: number): void {
    this.#skipping.delete(cell);
  }

  #freeCell(inUse: readonly (number | undefined)[]): number {
    for (let cell = 0; cell < MAX_JOBS_ON_A_WORKER; cell++) {
      if (!inUse.includes(cell) && !this.#skipping.has(cell)) return cell;
    }
    throw new Error('parapool: no free gate cell (a bug: please report it)');
  }
}

/** A job as sent to one worker: its gate cell (jobs ahead only), and whether it was dropped there. */
export interface JobInLine {
  readonly cell: number | undefined;
  /** Cancelled, or given to another worker, before it started: its worker skips it. */
  dropped: boolean;
}

/**
 * The caller's view of one worker's line: the job it runs (the head) and, with jobs ahead, those
 * it holds to start after it, in order, with the worker's gate. Without jobs ahead the line is
 * the head alone, and no job in it can be dropped or reclaimed.
 */
export class WorkerLine<T extends JobInLine> {
  /** The job the worker runs (or starts next, if it has not yet). */
  head: T | undefined;
  readonly #ahead: T[] = [];
  readonly #gate: WorkerGate | undefined;

  constructor(ahead: boolean) {
    this.#gate = ahead ? new WorkerGate() : undefined;
  }

  /** The jobs held ahead, in the order the worker starts them once the head ends. */
  get ahead(): readonly T[] {
    return this.#ahead;
  }

  /** Every job in the line, the head first. */
  all(): T[] {
    return this.head ? [this.head, ...this.#ahead] : this.#ahead.slice();
  }

  /** Whether the line has `entry` (as its head or ahead). */
  has(entry: T): boolean {
    return this.head === entry || this.#ahead.includes(entry);
  }

  /** Whether the worker, running its head, can also take `job` ahead (see {@link WorkerGate.takesAhead}). */
  takesAhead(job: Job): boolean {
    return this.#gate?.takesAhead(job, this.#ahead.length) === true;
  }

  /** `job` as sent to this worker: with jobs ahead, carrying a free gate cell (`cell`). */
  open(job: Job): { job: Job; cell: number | undefined } {
    if (!this.#gate) return { job, cell: undefined };
    return this.#gate.open(job, [this.head?.cell, ...this.#ahead.map((each) => each.cell)]);
  }

  /** Puts `entry` in line: as the head, or ahead of the worker's turn. */
  add(entry: T, ahead: boolean): void {
    if (ahead) this.#ahead.push(entry);
    else this.head = entry;
  }

  /** The head has ended: the first job ahead, if any, becomes the head (the one the worker runs now). */
  advance(): T | undefined {
    this.head = this.#ahead.shift();
    return this.head;
  }

  /** Takes `entry` out of the line, whatever its place (its outcome is in, or it was settled otherwise). */
  remove(entry: T): void {
    if (this.head === entry) this.head = undefined;
    const index = this.#ahead.indexOf(entry);
    if (index >= 0) this.#ahead.splice(index, 1);
  }

  /** Drops `entry`, held ahead, if its worker has not started it (the worker skips it); false if it has. */
  drop(entry: T): boolean {
    if (!this.#gate || entry.cell === undefined || !this.#gate.drop(entry.cell)) return false;
    this.#out(entry);
    return true;
  }

  /** The last job held ahead (the furthest from starting), dropped here, if the worker had not started it. */
  dropLast(): T | undefined {
    const last = this.#ahead[this.#ahead.length - 1];
    return last && this.drop(last) ? last : undefined;
  }

  /**
   * For a worker that is dying or being stopped: whether `entry` can run elsewhere — it had not
   * started (dropped here), or it had ended and its answer is lost with the worker. False for the
   * job the worker was running, and without jobs ahead.
   */
  reclaim(entry: T): boolean {
    if (!this.#gate || entry.cell === undefined || !this.#gate.reclaim(entry.cell)) return false;
    this.#out(entry);
    return true;
  }

  /** The worker answered a job (it has its gate cells). */
  answered(): void {
    this.#gate?.answered();
  }

  /** The worker skipped `entry`, a dropped job: its cell is free again. */
  skipped(entry: T): void {
    if (entry.cell !== undefined) this.#gate?.skipped(entry.cell);
  }

  /**
   * Drops every job in the line its worker has not started (the head too, if it was held ahead and
   * has not started yet), the furthest from starting first, so that the worker is left with what it
   * runs. Returns the dropped jobs in their order (they go elsewhere), and how many stay: those
   * started (or ended, their answers on their way), whose outcomes are still to come.
   */
  dropWaiting(): { dropped: T[]; staying: number } {
    const dropped: T[] = [];
    for (const entry of this.all().reverse()) if (this.drop(entry)) dropped.unshift(entry);
    return { dropped, staying: this.all().length };
  }

  /**
   * Empties the line of a worker that died or is being stopped. `again`: the jobs that can run
   * elsewhere, in their order — those it had not started, and those it had ended whose answers are
   * lost with it; `lost`: those it was running (without jobs ahead, the head).
   */
  release(): { again: T[]; lost: T[] } {
    const again: T[] = [];
    const lost: T[] = [];
    for (const entry of this.all()) (this.reclaim(entry) ? again : lost).push(entry);
    this.head = undefined;
    this.#ahead.length = 0;
    return { again, lost };
  }

  #out(entry: T): void {
    entry.dropped = true;
    this.remove(entry);
  }
}

/**
 * Hands the `waiting` jobs out ahead over busy workers, the first waiting first: one per worker per
 * round, so that they are spread over the workers, while a worker's gate takes more (it refuses
 * once the worker holds enough). `give(worker, job)` sends `job` ahead to `worker`, or returns false
 * if that worker cannot take it now; the jobs given are taken off `waiting`.
 */
export function handOutAhead<S extends { readonly line: WorkerLine<JobInLine> }, J>(
  workers: readonly S[],
  waiting: J[],
  give: (worker: S, job: J) => boolean,
): void {
  for (let round = 0, more = true; more && waiting.length > 0; round++) {
    more = false;
    for (const worker of workers) {
      const next = waiting[0];
      if (next === undefined) break;
      if (worker.line.ahead.length > round) {
        more = true; // (its turn comes in a later round)
        continue;
      }
      if (!give(worker, next)) continue;
      waiting.shift();
      more = true;
    }
  }
}

/**
 * For a worker fallen idle with nothing waiting: a job held ahead on one of `lines` that its worker
 * has not started (dropped there: that worker skips it), the last of the line that holds the most
 * (the one furthest from starting).
 */
export function takeBack<T extends JobInLine>(lines: readonly WorkerLine<T>[]): T | undefined {
  const holders = lines.filter((line) => line.ahead.length > 0);
  holders.sort((a, b) => b.ahead.length - a.ahead.length);
  for (const line of holders) {
    const entry = line.dropLast();
    if (entry) return entry;
  }
  return undefined;
}

/** This worker's gate cells (from the first job that carried them). */
let gateCells: Int32Array | undefined;
/** The job this thread runs while it is asynchronous: a job ahead starts after it. */
let running: Promise<JobResult> | undefined;

const SKIPPED: JobResult = Object.freeze({ values: [], skipped: true });

/**
 * The worker's side: runs `job` (which carries a gate cell) with `run` once the
 * jobs before it have ended — one at a time, in order — and only if the caller
 * has not dropped it first (then it answers `skipped`). Marks the cell ended
 * when the outcome is ready.
 */
export function runInTurn(
  job: Job & { readonly gate: number },
  run: (job: Job) => Promise<JobResult> | JobResult,
): Promise<JobResult> | JobResult {
  if (job.gateCells) gateCells = job.gateCells;
  const cell = job.gate;
  const start = (): Promise<JobResult> | JobResult => {
    // A call past its timeout that ignores its signal still runs: nothing else starts until it has
    // returned (the caller stops this worker after the grace period; the jobs held here go elsewhere).
    const lingering = whenNoneLinger();
    if (lingering) return lingering.then(start);
    if (!claim(cell)) return SKIPPED;
    const result = run(job);
    return result instanceof Promise ? result.then((r) => ended(cell, r)) : ended(cell, result);
  };
  const result = running ? running.then(start) : start();
  if (result instanceof Promise) {
    running = result;
    void result.then(() => {
      if (running === result) running = undefined;
    });
  }
  return result;
}

/** Flips the job's gate cell from waiting to started: false if the caller dropped the job first. */
function claim(cell: number): boolean {
  if (!gateCells) return true;
  return Atomics.compareExchange(gateCells, cell, GATE.waiting, GATE.started) === GATE.waiting;
}

/** Marks the job's gate cell ended: its outcome is ready, and goes back with `result`. */
function ended(cell: number, result: JobResult): JobResult {
  if (gateCells) Atomics.store(gateCells, cell, GATE.ended);
  return result;
}
