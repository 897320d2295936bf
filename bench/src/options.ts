import { backendNames } from './backends.js';
import type { BackendName, RawId } from './ids.js';
import { rawLibraries } from './raw-libraries.js';

/** A column `--backends` can select: a parapool backend or a raw library. */
export type SelectableSubject = BackendName | RawId;

/** Everything a run is told. */
export interface BenchOptions {
  /** Parapool backends and raw libraries to run (the sequential loop and the limit always run). */
  readonly backends: readonly SelectableSubject[];
  readonly workloads: readonly string[];
  readonly processes: number;
  /** How many times each case runs: until its median is known precisely enough (see Rounds). */
  readonly rounds: Rounds;
  readonly quick: boolean;
  /** Also run CPython's multiprocessing.Pool (python3) as a reference. */
  readonly python: boolean;
  /** Directory for latest.json, report.html and the charts (default: the git-ignored bench/runs). */
  readonly out: string;
  readonly seed: number;
  readonly progress: 'auto' | 'lines' | 'none';
  /** Also write the committed snapshot (bench/results) and the READMEs' figures block after the run. */
  readonly readme: boolean;
  /** Give up on one run after this many seconds. */
  readonly timeoutS: number;
}

/**
 * Each case runs `warmup` untimed times, then at least `minRuns` timed ones,
 * and more (up to `maxRuns`) while the interval of its median is wider than
 * ± `precision` of it (stats.ts). Extra rounds stop too when the workload has
 * taken `budget` times what its first rounds took.
 */
export interface Rounds {
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** The interval's half-width aimed at, relative to the median (0.03 = ± 3%). */
  readonly precision: number;
  readonly budget: number;
}

/** The full run: 6 runs give a 95% interval of the median ([min, max]); up to 12 narrow it. */
export const fullRounds: Rounds = { warmup: 1, minRuns: 6, maxRuns: 12, precision: 0.03, budget: 1.4 };

/**
 * --quick: every workload and method runs and is checked; no warm-up, 3 runs
 * (their median leaves out one cold run; [min, max] holds it at 75%).
 */
export const quickRounds: Rounds = { warmup: 0, minRuns: 3, maxRuns: 3, precision: 0.1, budget: 1 };

/** Every parapool backend and raw library id --backends accepts. */
export const subjectNames: readonly SelectableSubject[] = [...backendNames, ...rawLibraries.map((r) => r.id)];

/** `piscina (raw)` and `raw-piscina` are accepted for 'piscina-raw'. */
export function normalizeSubjectName(name: string): string {
  const trimmed = name.trim();
  const raw = /^(?:raw-(.+)|(.+)-raw|(.+) \(raw\))$/.exec(trimmed);
  const library = raw?.[1] ?? raw?.[2] ?? raw?.[3];
  return library ? `${library}-raw` : trimmed;
}
