import type { WorkerInsight } from '../backends/worker-log.js';
import type { Job, JobResult } from '../wire/job.js';

/** Median and 95th percentile of a set of durations, in milliseconds. */
export interface Durations {
  /** Number of samples. */
  readonly count: number;
  /** The median, in milliseconds (0 without samples). */
  readonly medianMs: number;
  /** The 95th percentile, in milliseconds (0 without samples). */
  readonly p95Ms: number;
}

/** One of the slowest jobs seen: a chunk (with chunksize 1, a single item). */
export interface SlowTask {
  /** The task's name (`inline` for an inline function). */
  readonly task: string;
  /** Index of the chunk's first item in its call's input. */
  readonly item: number;
  /** The chunk's size, in items. */
  readonly items: number;
  /** Time in the worker. */
  readonly ms: number;
  /** The worker that ran it (`currentWorker().id` inside the task). */
  readonly worker: string;
}

/** What `pool.insights()` returns: plain data, safe to log or send. */
export interface PoolInsights {
  /** The backend's name (`piscina`, `inline`, …). */
  readonly backend: string;
  /** The pool's `processes`: workers it keeps. */
  readonly processes: number;
  /** Length of the window these figures cover (since the pool started or the last reset). */
  readonly elapsedMs: number;
  /** Jobs (chunks) and items: submitted, run to the end, failed as a whole, dropped before or while running. */
  readonly jobs: {
    /** Jobs handed to the pool. */
    readonly submitted: number;
    /** Jobs run to the end (some of their items may have failed). */
    readonly completed: number;
    /** Jobs failed as a whole (their worker crashed, or a task timed out). */
    readonly failed: number;
    /** Jobs dropped before or while running (terminate, an abort signal). */
    readonly cancelled: number;
  };
  /** Items (the calls of a task) in those jobs. */
  readonly items: {
    /** Items handed to the pool. */
    readonly submitted: number;
    /** Items whose task returned or threw. */
    readonly completed: number;
  };
  /** Per worker, including those that left the pool in this window. */
  readonly workers: readonly WorkerInsight[];
  /** Replacements in this window, by cause. */
  readonly replacements: {
    /** Workers replaced after dying on their own. */
    readonly crash: number;
    /** Workers replaced after `maxtasksperchild` or `maxmemoryperchild`. */
    readonly recycle: number;
    /** Workers replaced after a running job was aborted. */
    readonly abort: number;
    /** Replaced after a task ran past its timeout and the grace period after its signal. */
    readonly timeout: number;
  };
  /** Time jobs waited in the core's queue before a worker took them. */
  readonly queueWait: Durations;
  /** Time in the worker running tasks, per job (loading task modules is the worker's start-up: not in it). */
  readonly work: Durations;
  /** Time moving a job to its worker and its result back (the round trip less the work), per job. */
  readonly transfer: Durations;
  /** The slowest jobs seen, slowest first. */
  readonly slowest: readonly SlowTask[];
}

/** Samples kept per figure: enough for steady percentiles, bounded memory. */
const MAX_SAMPLES = 4096;
const SLOWEST = 5;

/** A bounded sample of durations (a ring over the most recent values). */
class Sample {
  readonly #values = new Float64Array(MAX_SAMPLES);
  #count = 0;

  add(ms: number): void {
    this.#values[this.#count % MAX_SAMPLES] = ms;
    this.#count++;
  }

  summary(): Durations {
    const n = Math.min(this.#count, MAX_SAMPLES);
    if (n === 0) return { count: 0, medianMs: 0, p95Ms: 0 };
    const sorted = this.#values.slice(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * (n - 1) + 0.5))] as number;
    return { count: this.#count, medianMs: at(0.5), p95Ms: at(0.95) };
  }
}

function taskName(job: Job): string {
  return job.task.kind === 'module' ? job.task.name : 'inline';
}

/**
 * The core's side of insights: what the one queue sees of every job (waits,
 * round trips, the worker's own timing, the slowest jobs). A few numbers per
 * job, always on.
 */
export class QueueStats {
  #start = performance.now();
  #work = new Sample();
  #wait = new Sample();
  #transfer = new Sample();
  #slowest: SlowTask[] = [];
  submitted = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  itemsSubmitted = 0;
  itemsCompleted = 0;

  /** A job of `items` items was queued. */
  queued(items: number): void {
    this.submitted++;
    this.itemsSubmitted += items;
  }

  handed(waitMs: number): void {
    this.#wait.add(waitMs);
  }

  /** `job` (of `n` items, counted before its buffers may have moved to a worker) ended. */
  finished(job: Job, n: number, firstItem: number, roundTripMs: number, result: JobResult | undefined): void {
    if (!result) {
      this.failed++;
      return;
    }
    this.completed++;
    this.itemsCompleted += n;
    const ran = result.ran;
    if (!ran) return;
    // Loading task modules (a fresh worker's first job) is neither the task's work nor moving data.
    this.#work.add(ran.ms);
    this.#transfer.add(Math.max(0, roundTripMs - ran.ms - (result.loadMs ?? 0)));
    const slowest = this.#slowest;
    if (slowest.length < SLOWEST || ran.ms > (slowest[slowest.length - 1] as SlowTask).ms) {
      slowest.push({ task: taskName(job), item: firstItem, items: n, ms: ran.ms, worker: ran.worker.id });
      slowest.sort((a, b) => b.ms - a.ms);
      if (slowest.length > SLOWEST) slowest.length = SLOWEST;
    }
  }

  dropped(): void {
    this.cancelled++;
  }

  /** The queue's figures; with `reset`, a fresh window starts after this reading. */
  read(
    reset: boolean,
  ): Pick<PoolInsights, 'elapsedMs' | 'jobs' | 'items' | 'queueWait' | 'work' | 'transfer' | 'slowest'> {
    const out = {
      elapsedMs: performance.now() - this.#start,
      jobs: { submitted: this.submitted, completed: this.completed, failed: this.failed, cancelled: this.cancelled },
      items: { submitted: this.itemsSubmitted, completed: this.itemsCompleted },
      queueWait: this.#wait.summary(),
      work: this.#work.summary(),
      transfer: this.#transfer.summary(),
      slowest: this.#slowest.slice(),
    };
    if (reset) {
      this.#start = performance.now();
      this.#work = new Sample();
      this.#wait = new Sample();
      this.#transfer = new Sample();
      this.#slowest = [];
      this.submitted = this.completed = this.failed = this.cancelled = 0;
      this.itemsSubmitted = this.itemsCompleted = 0;
    }
    return out;
  }
}

const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`);
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;

/** Pads the cells of each column to one width. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, (row[i] as string).length);
  }
  const last = (rows[0]?.length ?? 1) - 1;
  return rows.map((row) =>
    row
      .map((cell, i) => (i === last ? cell : i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  '),
  );
}

/**
 * A summary a person can read at the end of a script.
 *
 * @example
 * ```ts
 * await pool.map(tasks.work, items);
 * console.error(formatInsights(pool.insights()));
 * ```
 */
export function formatInsights(insights: PoolInsights): string {
  const { jobs, items, queueWait, work, transfer, replacements } = insights;
  const lines = [
    `parapool ${insights.backend}, ${insights.processes} worker${insights.processes === 1 ? '' : 's'}, over ${ms(insights.elapsedMs)}: ${items.completed}/${items.submitted} items in ${jobs.completed}/${jobs.submitted} jobs${jobs.failed ? `, ${jobs.failed} failed` : ''}${jobs.cancelled ? `, ${jobs.cancelled} dropped` : ''}`,
    `  per job (median / p95): waiting ${ms(queueWait.medianMs)} / ${ms(queueWait.p95Ms)}, working ${ms(work.medianMs)} / ${ms(work.p95Ms)}, moving data ${ms(transfer.medianMs)} / ${ms(transfer.p95Ms)}`,
  ];
  const replaced = replacements.crash + replacements.recycle + replacements.abort + replacements.timeout;
  if (replaced > 0) {
    lines.push(
      `  replaced: ${replacements.crash} after a crash, ${replacements.recycle} recycled, ${replacements.abort} after an abort, ${replacements.timeout} after a timeout`,
    );
  }
  if (insights.workers.length > 0) {
    const rows = [['  worker', 'pid', 'jobs', 'items', 'busy', 'idle', 'util', 'start-up', '']];
    for (const w of insights.workers) {
      rows.push([
        `  #${w.id}${w.threadId ? ` (thread ${w.threadId})` : ''}`,
        w.pid === undefined ? '-' : String(w.pid),
        String(w.jobs),
        String(w.items),
        ms(w.busyMs),
        ms(w.idleMs),
        pct(w.utilization),
        w.startupMs === undefined ? '-' : ms(w.startupMs),
        w.ended ? `${w.ended.reason}${w.ended.error ? `: ${w.ended.error}` : ''}` : '',
      ]);
    }
    lines.push(...table(rows).map((line) => line.trimEnd()));
  }
  if (insights.slowest.length > 0) {
    lines.push('  slowest jobs:');
    for (const s of insights.slowest) {
      const which = s.items === 1 ? `item ${s.item}` : `items ${s.item}–${s.item + s.items - 1}`;
      lines.push(`    ${ms(s.ms)}  ${s.task} ${which}`);
    }
  }
  return lines.join('\n');
}
