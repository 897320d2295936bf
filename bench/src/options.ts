import { type BackendName, backendNames } from './backends.js';
import { type RawId, rawLibraries } from './raw-libraries.js';

/** A column `--backends` can select: a parapool backend or a raw library. */
export type SelectableSubject = BackendName | RawId;

/** Everything a run is told. */
export interface BenchOptions {
  /** Parapool backends and raw libraries to run (the sequential loop and the limit always run). */
  readonly backends: readonly SelectableSubject[];
  readonly workloads: readonly string[];
  readonly processes: number;
  /** Timed runs per measurement (after one untimed warm-up run). */
  readonly repeat: number;
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

/** Every parapool backend and raw library id --backends accepts. */
export const subjectNames: readonly SelectableSubject[] = [...backendNames, ...rawLibraries.map((r) => r.id)];

/** `piscina (raw)` and `raw-piscina` are accepted for 'piscina-raw'. */
export function normalizeSubjectName(name: string): string {
  const trimmed = name.trim();
  const raw = /^(?:raw-(.+)|(.+)-raw|(.+) \(raw\))$/.exec(trimmed);
  const library = raw?.[1] ?? raw?.[2] ?? raw?.[3];
  return library ? `${library}-raw` : trimmed;
}
