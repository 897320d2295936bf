/**
 * The performance targets, checked on a run's figures (ratios within one run,
 * so a loaded machine slows both sides alike). Each target is data: what it
 * compares, its threshold, and how a miss is explained from the same run's
 * figures. They are reported, never asserted: the machine is shared and noisy.
 */
import { ms, perItem, ratio } from './format.js';
import type {
  BenchResults,
  Measurement,
  MethodId,
  SubjectId,
  SubjectInfo,
  TargetCheck,
  TargetId,
  WorkloadId,
  WorkloadResult,
} from './results.js';
import { grainLabel } from './workloads/crossover.js';

/** What a target measured on one backend. */
interface Figure {
  /** The ratio (or grain) held to the threshold; undefined when it could not be measured. */
  readonly measured?: number;
  /** The figure as shown, e.g. '2.31× the limit (41.2 ms vs 17.8 ms)'. */
  readonly value: string;
  /** What the figure is made of (shown for a miss) or what was missing (shown for n/a). */
  readonly note?: string;
}

/** A target: a sentence, a threshold, and how to measure it on one backend. */
export interface Target {
  readonly id: TargetId;
  readonly target: string;
  readonly threshold: number;
  measure(run: RunView, backend: SubjectInfo): Figure;
}

/** Lookups over one run's results, by typed ids. */
export class RunView {
  constructor(readonly results: BenchResults) {}

  workload(id: WorkloadId): WorkloadResult | undefined {
    return this.results.workloads.find((w) => w.name === id);
  }

  /** The row of `subject` and `method` (and grain) that ran and verified. */
  row(workload: WorkloadId, subject: SubjectId, method: MethodId, grainUs?: number): Measurement | undefined {
    return this.workload(workload)?.measurements.find(
      (m) => m.subject === subject && m.method === method && m.grainUs === grainUs && m.status === 'ok',
    );
  }

  /** Any row of `subject` and `method`, failed or not (to say why a figure is missing). */
  anyRow(workload: WorkloadId, subject: SubjectId, method: MethodId): Measurement | undefined {
    return this.workload(workload)?.measurements.find((m) => m.subject === subject && m.method === method);
  }

  /** The raw library column over `backend`, when it ran. */
  rawOf(backend: SubjectId): SubjectInfo | undefined {
    return this.results.subjects.find((s) => s.kind === 'raw' && s.backend === backend && s.available);
  }

  label(subject: SubjectId): string {
    return this.results.subjects.find((s) => s.id === subject)?.label ?? subject;
  }
}

function missing(run: RunView, workload: WorkloadId, subject: SubjectId, method: MethodId, what: string): Figure {
  const m = run.anyRow(workload, subject, method);
  if (!run.workload(workload)) return { value: 'n/a', note: `${workload} did not run (--workloads)` };
  if (m && m.status !== 'ok') return { value: 'failed', note: `${what} failed: ${m.error ?? m.status}` };
  return { value: 'n/a', note: `${what} was not measured in this run` };
}

/**
 * What a pool's jobs spent their time on, from pool.insights(), as evidence for
 * a miss. (Its utilization is left out: the pool idles while the other columns
 * run, so over an interleaved workload it says nothing.)
 */
function insightNote(run: RunView, workload: WorkloadId, backend: SubjectId): string | undefined {
  const w = run.workload(workload);
  const i = w?.insights?.[backend];
  // The insights cover every job of the workload's pool: evidence for one method only when it is the only one.
  if (!i || w.measurements.filter((m) => m.subject === backend).length !== 1) return undefined;
  const dominant = i.transferMedianMs > i.workMedianMs ? 'moving data dominates' : 'the work in the worker dominates';
  return `${dominant}: per job ${ms(i.transferMedianMs)} moving data vs ${ms(i.workMedianMs)} working (pool.insights())`;
}

/** `method` on a backend against the limit's row it is bounded by. */
function againstLimit(workload: WorkloadId, method: MethodId): Target['measure'] {
  return (run, backend) => {
    const m = run.row(workload, backend.id, method);
    if (!m?.medianMs) return missing(run, workload, backend.id, method, `${method} on ${backend.label}`);
    const limit = m.limit ? run.row(workload, 'limit', m.limit) : undefined;
    if (!limit?.medianMs || m.vsLimit === undefined) return missing(run, workload, 'limit', method, 'the limit');
    const raw = run.rawOf(backend.id);
    const rawRow = raw ? run.row(workload, raw.id, 'per-chunk') : undefined;
    const notes = [insightNote(run, workload, backend.id)];
    if (m.overheadNsPerItem !== undefined && limit.overheadNsPerItem !== undefined) {
      notes.push(
        `overhead per item ${perItem(m.overheadNsPerItem)} vs the limit's ${perItem(limit.overheadNsPerItem)}`,
      );
    }
    if (rawRow?.vsLimit !== undefined) {
      notes.push(`${raw?.label} with the same chunks: ${ratio(rawRow.vsLimit)} the limit`);
    }
    return {
      measured: m.vsLimit,
      value: `${ratio(m.vsLimit)} the limit (${ms(m.medianMs)} vs ${ms(limit.medianMs)})`,
      note: notes.filter(Boolean).join('; '),
    };
  };
}

/** An applyAsync loop against map on the same backend. */
function againstMap(method: MethodId, noPool: MethodId): Target['measure'] {
  return (run, backend) => {
    const loop = run.row('howmany', backend.id, method);
    const map = run.row('howmany', backend.id, 'map');
    if (!loop?.medianMs) return missing(run, 'howmany', backend.id, method, `${method} on ${backend.label}`);
    if (!map?.medianMs) return missing(run, 'howmany', backend.id, 'map', `map on ${backend.label}`);
    const extraNs = ((loop.medianMs - map.medianMs) * 1e6) / loop.items;
    const notes = [
      `each of the ${loop.items.toLocaleString('en')} calls costs ${perItem(extraNs)} more than an item of map (an AsyncResult and its settling per call)`,
    ];
    // The caller's own code of the pattern, with no pool: what no backend can take away.
    const alone = run.row('howmany', 'sequential', noPool);
    if (alone?.medianMs) {
      notes.push(
        `the pattern alone, with no pool (a tuple and a settling per call, the work done in place), costs ${ratio(alone.medianMs / map.medianMs)} map (${ms(alone.medianMs)})`,
      );
    }
    return {
      measured: loop.medianMs / map.medianMs,
      value: `${ratio(loop.medianMs / map.medianMs)} map (${ms(loop.medianMs)} vs ${ms(map.medianMs)})`,
      note: notes.join('; '),
    };
  };
}

/** The library's own reference: its raw column; for a backend of OS processes (no pool library), the limit's bare fork. */
function reference(
  run: RunView,
  workload: WorkloadId,
  backend: SubjectInfo,
  method: MethodId,
  forkMethod: MethodId,
): { row: Measurement; label: string } | undefined {
  if (backend.separateProcesses) {
    const fork = run.row(workload, 'limit', forkMethod);
    return fork ? { row: fork, label: 'the bare fork' } : undefined;
  }
  const raw = run.rawOf(backend.id);
  const row = raw ? run.row(workload, raw.id, method) : undefined;
  return row && raw ? { row, label: raw.label } : undefined;
}

function againstRaw(workload: WorkloadId, method: MethodId, forkMethod: MethodId): Target['measure'] {
  return (run, backend) => {
    const m = run.row(workload, backend.id, method);
    if (!m?.medianMs) return missing(run, workload, backend.id, method, `${method} on ${backend.label}`);
    const ref = reference(run, workload, backend, method, forkMethod);
    if (!ref?.row.medianMs) {
      return { value: ms(m.medianMs / m.items), note: 'no raw library reference in this run (--backends)' };
    }
    const notes: string[] = [];
    if (m.vsLimit !== undefined) notes.push(`${ratio(m.vsLimit)} the limit`);
    if (m.calls && ref.row.calls) {
      // Calls timed one by one: the median call (a stalled moment on a busy machine moves the mean, not the median).
      const measured = m.calls.p50Us / ref.row.calls.p50Us;
      notes.unshift(`p99 per call ${m.calls.p99Us.toFixed(0)} µs vs ${ref.row.calls.p99Us.toFixed(0)} µs`);
      return {
        measured,
        value: `${ratio(measured)} ${ref.label} (median call ${m.calls.p50Us.toFixed(0)} µs vs ${ref.row.calls.p50Us.toFixed(0)} µs)`,
        note: notes.join('; '),
      };
    }
    const perCall = (x: Measurement) => ms((x.medianMs ?? 0) / x.items);
    return {
      measured: m.medianMs / ref.row.medianMs,
      value: `${ratio(m.medianMs / ref.row.medianMs)} ${ref.label} (${perCall(m)} vs ${perCall(ref.row)})`,
      note: notes.join('; '),
    };
  };
}

function crossover(run: RunView, backend: SubjectInfo): Figure {
  const w = run.workload('crossover');
  const us = w?.crossoverUs?.[backend.id];
  if (!w || us === undefined) return { value: 'n/a', note: 'crossover did not run on this backend' };
  const at = (grain: number) => run.row('crossover', backend.id, 'map', grain);
  const grains = [...new Set(w.measurements.map((m) => m.grainUs).filter((g): g is number => g !== undefined))];
  const below = grains.filter((g) => g <= 30).sort((a, b) => b - a)[0];
  const near = below === undefined ? undefined : at(below);
  const note = near?.speedup !== undefined ? `at ${grainLabel(below!)}: ${ratio(near.speedup)} sequential` : undefined;
  return {
    // never: measured as infinity (it beats sequential at no grain measured)
    measured: us === null ? Number.POSITIVE_INFINITY : us,
    value: us === null ? 'never (in the grains measured)' : `from ${grainLabel(us)}`,
    ...(note ? { note } : {}),
  };
}

/** Every target. Ratios are measured ÷ reference, in the same run; met when ≤ threshold. */
export const TARGETS: readonly Target[] = [
  {
    id: 'howmany-map',
    target: 'howmany map ≤ 1.5× the limit',
    threshold: 1.5,
    measure: againstLimit('howmany', 'map'),
  },
  {
    id: 'howmany-starmap',
    target: 'howmany starmap ≤ 1.5× the limit',
    threshold: 1.5,
    measure: againstLimit('howmany', 'starmap'),
  },
  {
    id: 'square-overhead',
    target: "square map: overhead per item ≤ 1.3× the limit's",
    threshold: 1.3,
    measure(run, backend) {
      const m = run.row('square', backend.id, 'map');
      const limit = run.row('square', 'limit', 'map');
      if (m?.overheadNsPerItem === undefined) return missing(run, 'square', backend.id, 'map', 'square map');
      if (limit?.overheadNsPerItem === undefined) return missing(run, 'square', 'limit', 'map', 'the limit');
      if (limit.overheadNsPerItem <= 0) {
        return { value: perItem(m.overheadNsPerItem), note: 'the limit had no overhead to compare with' };
      }
      return {
        measured: m.overheadNsPerItem / limit.overheadNsPerItem,
        value: `${ratio(m.overheadNsPerItem / limit.overheadNsPerItem)} the limit's (${perItem(m.overheadNsPerItem)} vs ${perItem(limit.overheadNsPerItem)} per item)`,
        note: insightNote(run, 'square', backend.id),
      };
    },
  },
  {
    id: 'apply-async-callback',
    target: 'applyAsync loop with a callback ≤ 2× map',
    threshold: 2,
    measure: againstMap('apply-async-callback', 'callbacks-no-pool'),
  },
  {
    id: 'apply-async-get',
    target: 'applyAsync loop with get() ≤ 2× map',
    threshold: 2,
    measure: againstMap('apply-async-get', 'promises-no-pool'),
  },
  {
    id: 'round-trip',
    target: "apply round trip ≤ 1.1× the raw library's own call (child-process: the bare fork)",
    threshold: 1.1,
    measure: againstRaw('apply-round-trip', 'round-trip', 'round-trip-fork'),
  },
  {
    id: 'cold-start',
    target: "cold start ≤ 1.2× the raw library's",
    threshold: 1.2,
    measure: againstRaw('cold-start', 'cold-start', 'cold-start-fork'),
  },
  {
    id: 'crossover',
    target: 'beats the sequential loop from ≤ 30 µs of work per item',
    threshold: 30,
    measure: crossover,
  },
];

/** Every target on every worker backend of the run (the in-process inline backend has no workers to compare). */
export function checkTargets(results: BenchResults, targets: readonly Target[] = TARGETS): TargetCheck[] {
  const run = new RunView(results);
  const backends = results.subjects.filter((s) => s.kind === 'parapool' && s.available && !s.inProcess);
  const checks: TargetCheck[] = [];
  for (const target of targets) {
    for (const backend of backends) {
      const figure = target.measure(run, backend);
      const met = figure.measured === undefined ? null : figure.measured <= target.threshold;
      checks.push({
        id: target.id,
        target: target.target,
        subject: backend.id,
        value: figure.value,
        ...(figure.measured !== undefined && Number.isFinite(figure.measured) ? { measured: figure.measured } : {}),
        threshold: target.threshold,
        met,
        ...(figure.note ? { note: figure.note } : {}),
      });
    }
  }
  return checks;
}
