import { max, median, min } from 'simple-statistics';
import type { Measurement, SubjectInfo, WorkloadResult } from './results.js';

/** The sequential subject a subject is compared with: each runtime with its own. */
export function baselineSubjectOf(kind: Measurement['kind']): string {
  return kind === 'python' ? 'python sequential' : 'sequential';
}

/**
 * Fills median, min, max, speedup and overhead per item of every measurement
 * of a workload.
 */
export function summarize(result: WorkloadResult, subjects: readonly SubjectInfo[], processes: number): void {
  for (const m of result.measurements) {
    if (m.timesMs.length === 0) continue;
    m.medianMs = median(m.timesMs);
    m.minMs = min(m.timesMs);
    m.maxMs = max(m.timesMs);
  }
  const sequentialOf = (subject: string, method: string) =>
    result.measurements.find((m) => m.subject === subject && m.method === method && m.status === 'ok');
  for (const m of result.measurements) {
    if (m.medianMs === undefined || m.status !== 'ok') continue;
    const own = m.subject === 'sequential' || m.subject === 'python sequential';
    if (own || m.baseline === undefined) continue;
    const base = sequentialOf(m.kind === 'python' ? 'python sequential' : 'sequential', m.baseline);
    if (base?.medianMs === undefined) continue;
    const info = subjects.find((s) => s.name === m.subject);
    const parallelism = info?.inProcess ? 1 : Math.min(processes, m.items);
    m.speedup = base.medianMs / m.medianMs;
    m.overheadNsPerItem = ((m.medianMs - base.medianMs / parallelism) * 1e6) / m.items;
  }
}

/** "Beats sequential" means at least this speedup: 5% clear of run-to-run noise. */
export const BEATS = 1.05;

/**
 * crossover: per subject, the smallest grain from which it beats sequential
 * (speedup ≥ BEATS) at that grain and every larger one (null: not even at the largest).
 */
export function crossoverGrains(
  result: WorkloadResult,
  grainsUs: readonly number[],
  label: (us: number) => string,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const subjects = [...new Set(result.measurements.map((m) => m.subject))].filter(
    (s) => s !== 'sequential' && s !== 'python sequential',
  );
  for (const subject of subjects) {
    let from: number | null = null;
    for (let i = grainsUs.length - 1; i >= 0; i--) {
      const us = grainsUs[i] as number;
      const m = result.measurements.find((x) => x.subject === subject && x.method === label(us));
      if (m?.speedup === undefined || m.speedup < BEATS) break;
      from = us;
    }
    out[subject] = from;
  }
  return out;
}
