import { backendPackages } from './backends.js';
import { rawLibraries } from './raw-libraries.js';

/** Everything a run is told. */
export interface BenchOptions {
  /** Parapool backends and raw libraries to run (the sequential reference always runs). */
  readonly backends: readonly string[];
  readonly workloads: readonly string[];
  readonly processes: number;
  /** Timed runs per measurement (after one untimed warm-up run). */
  readonly repeat: number;
  readonly quick: boolean;
  /** Also run CPython's multiprocessing.Pool (python3) as a reference. */
  readonly python: boolean;
  /** Directory for latest.json, report.html and the charts. */
  readonly out: string;
  readonly seed: number;
  readonly progress: 'auto' | 'lines' | 'none';
  /** Rewrite the figures block of the READMEs after the run. */
  readonly readme: boolean;
  /** Give up on one run after this many seconds. */
  readonly timeoutS: number;
}

/** Every parapool backend and raw library name --backends accepts. */
export const subjectNames: readonly string[] = [...Object.keys(backendPackages), ...rawLibraries.map((r) => r.name)];

/** `piscina-raw` and `raw-piscina` are accepted for 'piscina (raw)'. */
export function normalizeSubjectName(name: string): string {
  const trimmed = name.trim();
  const raw = /^(?:raw-(.+)|(.+)-raw|(.+) \(raw\))$/.exec(trimmed);
  const library = raw?.[1] ?? raw?.[2] ?? raw?.[3];
  return library ? `${library} (raw)` : trimmed;
}
