/** The shape of latest.json. */
import type { MethodId, SubjectId, SubjectKind, WorkloadId } from './ids.js';

export type { MethodId, SubjectId, SubjectKind, WorkloadId } from './ids.js';

/** A column: a backend, a raw library, the limit, a sequential reference or CPython. */
export interface SubjectInfo {
  readonly id: SubjectId;
  /** How tables and charts name it. */
  readonly label: string;
  readonly kind: SubjectKind;
  readonly available: boolean;
  /** Why it did not run. */
  readonly reason?: string;
  /** Runs in the caller's thread (the inline backend): no parallel speedup is expected. */
  readonly inProcess?: boolean;
  /** Its workers are OS processes (compared with the limit's `fork` rows). */
  readonly separateProcesses?: boolean;
  /** A raw library: the parapool backend built on it. */
  readonly backend?: SubjectId;
}

/** An interval around a figure: [low, high] at `confidence` (see stats.ts). */
export interface Interval {
  readonly low: number;
  readonly high: number;
  /** The probability that the interval holds the true median, e.g. 0.95. */
  readonly confidence: number;
}

/** Percentiles of single calls (the round trip), in microseconds. */
export interface CallPercentiles {
  readonly calls: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  /** The interval of the median call. */
  readonly p50Ci: Interval;
}

/** What a row measures: shared by a workload's cases and the measurements they make. */
export interface RowInfo {
  readonly method: MethodId;
  /** How the row is shown, e.g. 'imap (chunksize 1000)'. */
  readonly label: string;
  /** crossover: the work per item, in microseconds (rows of one grain are compared with each other). */
  readonly grainUs?: number;
  /** Items it processes (for the overhead per item). */
  readonly items: number;
  /** The sequential method it is compared with; default: the workload's first sequential case. */
  readonly baseline?: MethodId;
  /** The limit's method that bounds it (its ratio to the limit is `vsLimit`). */
  readonly limit?: MethodId;
}

/** One row of a workload's table. */
export interface Measurement extends RowInfo {
  readonly workload: WorkloadId;
  readonly subject: SubjectId;
  readonly kind: SubjectKind;
  status: 'ok' | 'wrong' | 'error';
  /** What went wrong: the error's name and message (or the wrong answer). */
  error?: string;
  /** The error's `cause` chain, outermost first, each as 'Name: message (code)'. */
  causes?: string[];
  /** Every timed run, in milliseconds. */
  readonly timesMs: number[];
  /** Every single call's time, in milliseconds, when a run times its calls one by one. */
  callsMs?: number[];
  calls?: CallPercentiles;
  medianMs?: number;
  /** The interval of the median (of the runs; of the single calls where calls are timed one by one). */
  ci?: Interval;
  minMs?: number;
  maxMs?: number;
  /** Baseline median / this median, and its interval. */
  speedup?: number;
  speedupCi?: Interval;
  /** (median − baseline median / parallelism) / items, in nanoseconds. */
  overheadNsPerItem?: number;
  /** This median ÷ the limit's median (1 = as fast as hand-written worker code); the median calls' ratio where calls are timed one by one. */
  vsLimit?: number;
  vsLimitCi?: Interval;
  /** Why a figure of this row lies outside what the machine allows (then it is noise, never a recommendation). */
  noise?: string[];
}

/** Per parapool backend, from its `pool.insights()` over the whole workload. */
export interface WorkloadInsight {
  /** busy ÷ (busy + idle), all workers. */
  readonly utilization: number;
  readonly transferMedianMs: number;
  readonly workMedianMs: number;
}

/** A workload's outcome. */
export interface WorkloadResult {
  readonly name: WorkloadId;
  readonly title: string;
  readonly description: string;
  readonly measurements: Measurement[];
  /** crossover only: per subject, the smallest grain (µs) from which it beats sequential; null: never. */
  crossoverUs?: Partial<Record<SubjectId, number | null>>;
  /** Per parapool backend with a shared pool. */
  insights?: Partial<Record<SubjectId, WorkloadInsight>>;
}

/** The targets, by id. */
export type TargetId =
  | 'howmany-map'
  | 'howmany-starmap'
  | 'square-overhead'
  | 'apply-async-callback'
  | 'apply-async-get'
  | 'round-trip'
  | 'cold-start'
  | 'crossover';

/** A target, checked on one backend in this run. */
export interface TargetCheck {
  readonly id: TargetId;
  /** The target as a sentence, e.g. 'howmany map ≤ 1.5× the limit'. */
  readonly target: string;
  readonly subject: SubjectId;
  /** The measured figure, e.g. '2.31× the limit (41.2 ms vs 17.8 ms)'. */
  readonly value: string;
  /** The measured ratio (or grain) and the threshold it is held to. */
  readonly measured?: number;
  readonly threshold: number;
  /** true met, false missed, null not measurable in this run. */
  readonly met: boolean | null;
  /** Why: for a miss, what the figure is made of; for n/a, what was missing. */
  readonly note?: string;
}

/** A kind of work the report recommends for. */
export type WorkKind = 'cpu-bound' | 'tiny-items' | 'io-bound' | 'isolation';

/** A recommendation per kind of work, derived from the figures. */
export interface Recommendation {
  readonly work: WorkKind;
  readonly title: string;
  /**
   * The subject recommended ('sequential' when the loop wins), or null when the
   * figures name no winner: the best ones lie within each other's spread, or
   * outside what the machine allows (noise).
   */
  readonly choice: SubjectId | null;
  /** The subjects that cannot be told apart from the best in this run (their intervals overlap). */
  readonly tied: SubjectId[];
  /** The row the choice rests on (for comparing runtimes): its median and interval. */
  readonly figure?: { readonly medianMs: number; readonly ci?: Interval };
  /** One or two sentences with the figures they rest on. */
  readonly text: string;
}

/** The machine a run measured. */
export interface MachineInfo {
  readonly cpus: number;
  readonly availableParallelism: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  /** The runtime that ran the bench, e.g. 'node v24.11.0', 'bun 1.3.2', 'deno 2.5.6'. */
  readonly runtime?: string;
  readonly python?: string;
  readonly loadAverage: number[];
}

/** latest.json */
export interface BenchResults {
  readonly version: 2;
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: Record<string, unknown>;
  readonly sizes: Record<string, unknown>;
  readonly subjects: SubjectInfo[];
  readonly workloads: WorkloadResult[];
  targets: TargetCheck[];
  recommendations: Recommendation[];
  /** false when any answer was wrong or any run failed. */
  ok: boolean;
  durationS: number;
}
