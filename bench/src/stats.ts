/**
 * The figures of a workload's rows: the median and its confidence interval,
 * speedup over sequential, overhead per item, ratio to the limit (each with
 * its interval), the crossover grain, and which figures lie outside what the
 * machine allows (noise, never a recommendation).
 *
 * The interval of a median is distribution-free (order statistics): with n
 * sorted runs, [x(k), x(n+1−k)] holds the true median with probability
 * 1 − 2·P(Binomial(n, ½) < k), from simple-statistics' binomialDistribution.
 * The largest k reaching 95% is used; below 6 runs no k does, and [min, max]
 * is given with its own, lower, confidence.
 */
import { binomialDistribution, median, quantileSorted } from 'simple-statistics';
import type { Interval, Measurement, SubjectId, SubjectInfo, WorkloadResult } from './results.js';

/** The confidence the intervals aim at. */
export const CONFIDENCE = 0.95;

/** The interval of the median of `sorted` (ascending, at least one value). */
export function medianInterval(sorted: readonly number[]): Interval {
  const n = sorted.length;
  const at = (i: number) => sorted[i] as number;
  if (n < 2) return { low: at(0), high: at(0), confidence: 0 };
  const p = binomialDistribution(n, 0.5) ?? [];
  let k = 1;
  let below = p[0] ?? 0; // P(X < k)
  while (k < n / 2 && 1 - 2 * (below + (p[k] ?? 0)) >= CONFIDENCE) below += p[k++] ?? 0;
  return { low: at(k - 1), high: at(n - k), confidence: 1 - 2 * below };
}

/** The interval's half-width relative to `center`: the precision a run reached. */
export function relativeHalfWidth(ci: Interval, center: number): number {
  return center > 0 ? (ci.high - ci.low) / 2 / center : Number.POSITIVE_INFINITY;
}

/** a ÷ b over two intervals (the widest ratio they allow), at the lower of the two confidences. */
function divide(a: Interval, b: Interval): Interval {
  return { low: a.low / b.high, high: a.high / b.low, confidence: Math.min(a.confidence, b.confidence) };
}

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

/** Workloads whose speedup no machine bounds by its cores: waiting overlaps (async I/O). */
const UNBOUNDED = new Set<string>(['io-bound']);

/**
 * Whether the limit is a floor for a row: for worker backends' data-moving rows.
 * Not for the caller's own thread (inline moves no data: on tiny items it may
 * beat workers, the limit's included), nor for a cold start (the limit starts
 * every worker at once; a pool that answers from its first worker may be quicker).
 */
function boundedByLimit(m: Measurement, subjects: readonly SubjectInfo[]): boolean {
  return m.method !== 'cold-start' && !subjects.find((s) => s.id === m.subject)?.inProcess;
}

/** What the machine allows a parallel run: processes, cores, items; 1 in the caller's thread. */
export interface Machine {
  readonly processes: number;
  readonly cores: number;
}

/** Fills the figures of every measurement of a workload. */
export function summarize(result: WorkloadResult, subjects: readonly SubjectInfo[], machine: Machine): void {
  for (const m of result.measurements) {
    if (m.timesMs.length === 0) continue;
    const sorted = [...m.timesMs].sort((a, b) => a - b);
    m.medianMs = median(sorted);
    m.minMs = sorted[0];
    m.maxMs = sorted.at(-1);
    m.ci = medianInterval(sorted);
    if (m.callsMs && m.callsMs.length > 0) {
      const calls = [...m.callsMs].sort((a, b) => a - b);
      const us = (q: number) => quantileSorted(calls, q) * 1000;
      const ci = medianInterval(calls);
      m.calls = {
        calls: calls.length,
        p50Us: us(0.5),
        p90Us: us(0.9),
        p99Us: us(0.99),
        p50Ci: { low: ci.low * 1000, high: ci.high * 1000, confidence: ci.confidence },
      };
    }
  }
  // Calls timed one by one are compared by the median call: a stalled moment on a busy machine moves their sum, not it.
  const center = (m: Measurement) => (m.calls ? m.calls.p50Us : (m.medianMs as number));
  const ciOf = (m: Measurement) => (m.calls ? m.calls.p50Ci : (m.ci as Interval));
  for (const m of result.measurements) {
    if (m.medianMs === undefined || m.status !== 'ok' || isSequential(m.subject) || !m.ci) continue;
    const noise: string[] = [];
    const inProcess = subjects.find((x) => x.id === m.subject)?.inProcess;
    if (m.limit !== undefined && !(inProcess && m.method === 'cold-start')) {
      const limit = result.measurements.find((l) => l.subject === 'limit' && sameRow(l, m.limit!, m.grainUs));
      if (limit?.ci && limit.medianMs && Boolean(m.calls) === Boolean(limit.calls)) {
        m.vsLimit = center(m) / center(limit);
        m.vsLimitCi = divide(ciOf(m), ciOf(limit));
        if (m.vsLimit < 1 && boundedByLimit(m, subjects)) {
          noise.push(`${fmt(m.vsLimit)}× the hand-written limit: faster than the limit measured in this run`);
        }
      }
    }
    const base =
      m.baseline === undefined
        ? undefined
        : result.measurements.find(
            (b) => b.subject === baselineSubjectOf(m.kind) && sameRow(b, m.baseline!, m.grainUs),
          );
    if (base?.medianMs !== undefined && base.ci) {
      const info = subjects.find((s) => s.id === m.subject);
      const ceiling = info?.inProcess ? 1 : Math.min(machine.processes, machine.cores, m.items);
      m.speedup = base.medianMs / m.medianMs;
      m.speedupCi = divide(base.ci, m.ci);
      m.overheadNsPerItem = ((m.medianMs - base.medianMs / ceiling) * 1e6) / m.items;
      // Faster than a perfect split of the loop over the workers (a negative overhead per item): impossible.
      if (!UNBOUNDED.has(m.workload) && m.kind !== 'python' && m.speedup > ceiling) {
        const on = info?.inProcess ? 'in the calling thread' : `with ${ceiling} processes`;
        noise.push(
          `${fmt(m.speedup)}× the sequential loop ${on}: more than the machine allows (a negative overhead per item, ${m.overheadNsPerItem.toFixed(0)} ns)`,
        );
      }
    }
    if (noise.length > 0) m.noise = noise;
  }
}

function fmt(x: number): string {
  return x.toFixed(2);
}

/**
 * crossover: per subject, the smallest grain from which it beats sequential at
 * that grain and every larger one (the speedup's whole interval above 1; null:
 * not even at the largest).
 */
export function crossoverGrains(
  result: WorkloadResult,
  grainsUs: readonly number[],
): Partial<Record<SubjectId, number | null>> {
  const out: Partial<Record<SubjectId, number | null>> = {};
  const subjects = [...new Set(result.measurements.map((m) => m.subject))].filter((s) => !isSequential(s));
  for (const subject of subjects) {
    let from: number | null = null;
    for (const us of [...grainsUs].reverse()) {
      const m = result.measurements.find((x) => x.subject === subject && x.grainUs === us);
      if (!m?.speedupCi || m.speedupCi.low <= 1) break;
      from = us;
    }
    out[subject] = from;
  }
  return out;
}
