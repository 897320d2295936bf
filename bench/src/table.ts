import Table from 'cli-table3';
import { ms, perItem, range, ratio } from './format.js';
import type { TargetCheck, WorkloadResult } from './results.js';

/** A workload's terminal table: one row per subject and method. */
export function workloadTable(result: WorkloadResult): string {
  const table = new Table({
    head: ['backend', 'method', 'median', 'min – max', 'vs sequential', 'overhead/item', 'check'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [] },
  });
  for (const m of result.measurements) {
    const check = m.status === 'ok' ? 'ok' : `${m.status.toUpperCase()}: ${truncate(m.error ?? '', 60)}`;
    table.push([
      m.subject,
      m.method,
      ms(m.medianMs),
      range(m.minMs, m.maxMs),
      ratio(m.speedup),
      perItem(m.overheadNsPerItem),
      check,
    ]);
  }
  let text = `\n${result.title}\n${table.toString()}`;
  if (result.crossoverUs) {
    const parts = Object.entries(result.crossoverUs).map(
      ([subject, us]) => `${subject}: ${us === null ? 'never' : `${us} µs`}`,
    );
    text += `\nbeats sequential from: ${parts.join(', ')}`;
  }
  if (result.insights) {
    const parts = Object.entries(result.insights).map(
      ([subject, i]) =>
        `${subject} ${(i.utilization * 100).toFixed(0)}% (per job: moving data ${ms(i.transferMedianMs)}, working ${ms(i.workMedianMs)})`,
    );
    text += `\nworker utilization, from pool.insights(): ${parts.join(' · ')}`;
  }
  return text;
}

/** The targets table printed at the end of a run. */
export function targetsTable(checks: readonly TargetCheck[]): string {
  const table = new Table({ head: ['target', 'backend', 'measured', 'met'], style: { head: [], border: [] } });
  for (const c of checks) table.push([c.target, c.subject, c.value, c.met === null ? '—' : c.met ? 'yes' : 'NO']);
  return `\ntargets (issue 6)\n${table.toString()}`;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
