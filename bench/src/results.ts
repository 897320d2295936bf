/** The shape of results/latest.json. */

/** What a column of the tables is. */
export type SubjectKind = 'sequential' | 'parapool' | 'raw' | 'python';

/** A column: a backend, a raw library, a sequential reference or CPython. */
export interface SubjectInfo {
  readonly name: string;
  readonly kind: SubjectKind;
  readonly available: boolean;
  /** Why it did not run. */
  readonly reason?: string;
  /** Runs in the caller's thread (the inline backend): no parallel speedup is expected. */
  readonly inProcess?: boolean;
}

/** One row of a workload's table. */
export interface Measurement {
  readonly workload: string;
  readonly subject: string;
  readonly kind: SubjectKind;
  readonly method: string;
  readonly items: number;
  /** The sequential method it is compared with. */
  readonly baseline?: string;
  status: 'ok' | 'wrong' | 'error';
  /** What went wrong (a wrong answer or an error). */
  error?: string;
  /** Every timed run, in milliseconds. */
  readonly timesMs: number[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Baseline median / this median. */
  speedup?: number;
  /** (median − baseline median / parallelism) / items, in nanoseconds. */
  overheadNsPerItem?: number;
}

/** A workload's outcome. */
export interface WorkloadResult {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly measurements: Measurement[];
  /** crossover only: per subject, the smallest grain (µs) from which it beats sequential; null: never. */
  crossoverUs?: Record<string, number | null>;
  /**
   * Per parapool backend with a shared pool, from its `pool.insights()` over the
   * whole workload: worker utilization (busy ÷ (busy + idle), all workers) and
   * the median time per job moving data and working.
   */
  insights?: Record<string, { utilization: number; transferMedianMs: number; workMedianMs: number }>;
}

/** A target of issue 6, checked on this run. */
export interface TargetCheck {
  readonly target: string;
  readonly subject: string;
  readonly value: string;
  /** true met, false missed, null not measurable in this run. */
  readonly met: boolean | null;
  readonly note?: string;
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
  readonly python?: string;
  readonly loadAverage: number[];
}

/** results/latest.json */
export interface BenchResults {
  readonly version: 1;
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly options: Record<string, unknown>;
  readonly sizes: Record<string, unknown>;
  readonly subjects: SubjectInfo[];
  readonly workloads: WorkloadResult[];
  targets: TargetCheck[];
  /** false when any answer was wrong or any run failed. */
  ok: boolean;
  durationS: number;
}
