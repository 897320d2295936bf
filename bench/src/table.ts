import Table from 'cli-table3';
import { errorLine } from './errors.js';
import { interval, ms, perItem, ratio } from './format.js';
import type { Measurement, Recommendation, SubjectInfo, TargetCheck, WorkloadResult } from './results.js';
import { grainLabel } from './workloads/crossover.js';

/** The check column: ok, or what went wrong with its causes. */
export function checkText(m: Measurement): string {
  if (m.status !== 'ok') return `${m.status.toUpperCase()}: ${errorLine(m.error, m.causes)}`;
  return m.noise ? `ok; NOISE: ${m.noise.join('; ')}` : 'ok';
}

/** Per-call percentiles, for rows that time single calls. */
export function callsText(m: Measurement): string {
  return m.calls ? `${m.calls.p50Us.toFixed(0)} / ${m.calls.p99Us.toFixed(0)} µs` : '—';
}

/** A subject's label. */
export function labelIn(subjects: readonly SubjectInfo[], id: Measurement['subject']): string {
  return subjects.find((s) => s.id === id)?.label ?? id;
}

/** A workload's table, header and rows (the terminal's and the report's): one row per subject and method. */
export function tableOf(
  result: WorkloadResult,
  subjects: readonly SubjectInfo[],
): { head: string[]; rows: string[][] } {
  const withCalls = result.measurements.some((m) => m.calls);
  const head = ['backend', 'method', 'median', 'interval of the median', '× limit', 'vs sequential', 'overhead/item'];
  if (withCalls) head.push('per call p50 / p99');
  head.push('check');
  const rows = result.measurements.map((m) => {
    const row = [
      labelIn(subjects, m.subject),
      m.label,
      ms(m.medianMs),
      interval(m.ci),
      ratio(m.vsLimit),
      ratio(m.speedup),
      perItem(m.overheadNsPerItem),
    ];
    if (withCalls) row.push(callsText(m));
    row.push(checkText(m));
    return row;
  });
  return { head, rows };
}

/** A workload's terminal table. */
export function workloadTable(result: WorkloadResult, subjects: readonly SubjectInfo[]): string {
  const { head, rows } = tableOf(result, subjects);
  const table = new Table({
    head,
    colAligns: head.map((_, i) => (i < 2 || i === head.length - 1 ? 'left' : 'right')),
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push([...row.slice(0, -1), truncate(row.at(-1) as string, 110)]);
  let text = `\n${result.title}\n${table.toString()}`;
  if (result.crossoverUs) {
    const parts = Object.entries(result.crossoverUs).map(
      ([subject, us]) =>
        `${labelIn(subjects, subject as Measurement['subject'])}: ${us === null || us === undefined ? 'never' : grainLabel(us)}`,
    );
    text += `\nbeats sequential from: ${parts.join(', ')}`;
  }
  if (result.insights) {
    const parts = Object.entries(result.insights).map(
      ([subject, i]) =>
        `${subject} ${((i?.utilization ?? 0) * 100).toFixed(0)}% (per job: moving data ${ms(i?.transferMedianMs)}, working ${ms(i?.workMedianMs)})`,
    );
    text += `\nworker utilization, from pool.insights(): ${parts.join(' · ')}`;
  }
  return text;
}

/** The met column. */
export function metText(c: TargetCheck): string {
  return c.met === null ? 'n/a' : c.met ? 'yes' : 'NO';
}

/** The targets table printed at the end of a run. */
export function targetsTable(checks: readonly TargetCheck[]): string {
  const table = new Table({
    head: ['target', 'backend', 'measured', 'met', 'why'],
    style: { head: [], border: [] },
    colWidths: [36, 15, 44, 5, 60],
    wordWrap: true,
  });
  for (const c of checks) {
    table.push([c.target, c.subject, c.value, metText(c), c.met === true ? '' : (c.note ?? '')]);
  }
  const met = checks.filter((c) => c.met === true).length;
  const missed = checks.filter((c) => c.met === false).length;
  return `\ntargets (worker backends; ratios within this run): ${met} met, ${missed} missed, ${checks.length - met - missed} n/a\n${table.toString()}`;
}

/** The recommendations, as printed at the end of a run. */
export function recommendationsText(recommendations: readonly Recommendation[]): string {
  return `\nwhich backend for which work (from this run's figures):\n${recommendations
    .map((r) => `- ${r.title}: ${r.text}`)
    .join('\n')}`;
}

/** The rows of a run whose figures lie outside what the machine allows. */
export function noiseText(workloads: readonly WorkloadResult[], subjects: readonly SubjectInfo[]): string {
  const rows = workloads.flatMap((w) => w.measurements.filter((m) => m.noise));
  if (rows.length === 0) return '';
  return `\n${rows.length} figure(s) outside what the machine allows (noise, never a recommendation):\n${rows
    .map((m) => `- ${m.workload} · ${labelIn(subjects, m.subject)} · ${m.label}: ${m.noise?.join('; ')}`)
    .join('\n')}`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
