/**
 * The figures of a workload's rows: median, spread and percentiles (from
 * simple-statistics), speedup over sequential, overhead per item, ratio to
 * the limit, and the crossover grain.
 */
import { max, median, medianAbsoluteDeviation, min, quantileSorted } from 'simple-statistics';
import type { Measurement, SubjectId, SubjectInfo, WorkloadResult } from './results.js';

/** The sequential subject a subject is compared with: each runtime with its own. */
export function baselineSubjectOf(kind: Measurement['kind']): SubjectId {
  return kind === 'python' ? 'python-sequential' : 'sequential';
}

/** Whether a subject is a sequential reference (compared with nothing). */
export function isSequential(subject: SubjectId): boolean {
  return subject === 'sequential' || subject === 'python-sequential';
}

/** Same method, and the same grain where rows have one (crossover). */
function sameRow(m: Measurement, method: Measurement['method'], grainUs: number | undefined): boolean {
  return m.method === method && m.grainUs === grainUs && m.status === 'ok';
}

/** Fills the figures of every measurement of a workload. */
export function summarize(result: WorkloadResult, subjects: readonly SubjectInfo[], processes: number): void {
  for (const m of result.measurements) {
    if (m.timesMs.length === 0) continue;
    const sorted = [...m.timesMs].sort((a, b) => a - b);
    m.medianMs = median(sorted);
    m.minMs = min(sorted);
    m.maxMs = max(sorted);
    m.spread = {
      p25Ms: quantileSorted(sorted, 0.25),
      p75Ms: quantileSorted(sorted, 0.75),
      relativeMad: m.medianMs > 0 ? medianAbsoluteDeviation(sorted) / m.medianMs : 0,
    };
    if (m.callsMs && m.callsMs.length > 0) {
      const calls = [...m.callsMs].sort((a, b) => a - b);
      m.calls = {
        calls: calls.length,
        p50Us: quantileSorted(calls, 0.5) * 1000,
        p90Us: quantileSorted(calls, 0.9) * 1000,
        p99Us: quantileSorted(calls, 0.99) * 1000,
      };
    }
  }
  for (const m of result.measurements) {
    if (m.medianMs === undefined || m.status !== 'ok' || isSequential(m.subject)) continue;
    if (m.limit !== undefined) {
      const limit = result.measurements.find((l) => l.subject === 'limit' && sameRow(l, m.limit!, m.grainUs));
      // Single calls timed one by one: the median call, which a stalled moment on a busy machine does not move.
      if (m.calls && limit?.calls) m.vsLimit = m.calls.p50Us / limit.calls.p50Us;
      else if (limit?.medianMs) m.vsLimit = m.medianMs / limit.medianMs;
    }
    if (m.baseline === undefined) continue;
    const sequential = baselineSubjectOf(m.kind);
    const base = result.measurements.find((b) => b.subject === sequential && sameRow(b, m.baseline!, m.grainUs));
    if (base?.medianMs === undefined) continue;
    const info = subjects.find((s) => s.id === m.subject);
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
): Partial<Record<SubjectId, number | null>> {
  const out: Partial<Record<SubjectId, number | null>> = {};
  const subjects = [...new Set(result.measurements.map((m) => m.subject))].filter((s) => !isSequential(s));
  for (const subject of subjects) {
    let from: number | null = null;
    for (let i = grainsUs.length - 1; i >= 0; i--) {
      const us = grainsUs[i] as number;
      const m = result.measurements.find((x) => x.subject === subject && x.grainUs === us);
      if (m?.speedup === undefined || m.speedup < BEATS) break;
      from = us;
    }
    out[subject] = from;
  }
  return out;
}
