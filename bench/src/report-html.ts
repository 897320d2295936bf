/**
 * results/report.html: one self-contained page (inline SVG charts, inline CSS,
 * no script, no network) that opens offline.
 */
import { crossoverSpec, headlineSpec, renderSvg, timesSpec } from './charts.js';
import { ms, perItem, range, ratio } from './format.js';
import type { BenchResults, WorkloadResult } from './results.js';
import { grainLabel } from './workloads/crossover.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((cell, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

async function workloadSection(w: WorkloadResult, results: BenchResults): Promise<string> {
  const rows = w.measurements.map((m) => [
    m.subject,
    m.method,
    ms(m.medianMs),
    range(m.minMs, m.maxMs),
    ratio(m.speedup),
    perItem(m.overheadNsPerItem),
    m.status === 'ok' ? 'ok' : `${m.status}: ${m.error ?? ''}`,
  ]);
  const charts = [await renderSvg(timesSpec(w))];
  const grains = (results.sizes as { crossoverGrainsUs?: number[] }).crossoverGrainsUs;
  if (w.name === 'crossover' && grains) charts.unshift(await renderSvg(crossoverSpec(w, grains, grainLabel)));
  const crossover = w.crossoverUs
    ? `<p><strong>Beats sequential from:</strong> ${Object.entries(w.crossoverUs)
        .map(([s, us]) => `${escapeHtml(s)}: ${us === null ? 'never' : escapeHtml(grainLabel(us))}`)
        .join('; ')}</p>`
    : '';
  const utilization = w.insights
    ? `<p><strong>Worker utilization</strong> (from <code>pool.insights()</code>, over the whole workload): ${Object.entries(
        w.insights,
      )
        .map(
          ([s, i]) =>
            `${escapeHtml(s)} ${(i.utilization * 100).toFixed(0)}% (per job: moving data ${escapeHtml(ms(i.transferMedianMs))}, working ${escapeHtml(ms(i.workMedianMs))})`,
        )
        .join('; ')}</p>`
    : '';
  return `<section id="${escapeHtml(w.name)}">
<h2>${escapeHtml(w.title)}</h2>
<p>${escapeHtml(w.description)}</p>
${crossover}
${utilization}
${charts.map((svg) => `<figure>${svg}</figure>`).join('\n')}
${table(['backend', 'method', 'median', 'min – max', 'vs sequential', 'overhead/item', 'check'], rows, [2, 3, 4, 5])}
</section>`;
}

/** The whole report page. */
export async function renderReport(results: BenchResults): Promise<string> {
  const m = results.machine;
  const machine = table(
    ['', ''],
    [
      ['date', results.date],
      ['command', results.command],
      ['CPU', `${m.cpuModel} — ${m.cpus} logical CPUs, availableParallelism ${m.availableParallelism}`],
      ['memory', `${m.memoryGiB} GiB`],
      ['system', `${m.platform} ${m.arch}, Node ${m.node}${m.python ? `, Python ${m.python}` : ''}`],
      ['load average at the start', m.loadAverage.join(' / ')],
      ['options', JSON.stringify(results.options)],
      ['duration', `${results.durationS.toFixed(0)} s`],
    ],
  );
  const unavailable = results.subjects.filter((s) => !s.available);
  const targets = table(
    ['target', 'backend', 'measured', 'met', 'note'],
    results.targets.map((t) => [
      t.target,
      t.subject,
      t.value,
      t.met === null ? '—' : t.met ? 'yes' : 'NO',
      t.note ?? '',
    ]),
  );
  const sections = [];
  for (const w of results.workloads) sections.push(await workloadSection(w, results));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parapool bench — ${escapeHtml(results.date.slice(0, 10))}</title>
<style>
body { font: 15px/1.45 Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0; overflow-x: auto; }
.status-bad { color: #b00; }
</style>
</head>
<body>
<h1>parapool bench</h1>
<p>Every backend and reference on the same seeded inputs; every answer checked against the sequential one
(${results.ok ? 'all answers right' : '<strong class="status-bad">some runs failed or gave wrong answers</strong>'}).
Median of ${escapeHtml(String(results.options.repeat))} timed run(s)${results.options.quick ? ' (--quick: small sizes, no warm-up run; the times are only indicative)' : ' after one warm-up run'}. “vs sequential” is the sequential median
divided by this one (Python rows: against Python's own sequential loop). “overhead/item” is (median − sequential median ÷ parallelism) ÷ items.</p>
<h2>Machine and options</h2>
${machine}
${unavailable.length ? `<p>Not available in this run: ${unavailable.map((s) => `${escapeHtml(s.name)} (${escapeHtml(s.reason ?? '')})`).join('; ')}</p>` : ''}
<h2>Headline</h2>
<figure>${await renderSvg(headlineSpec(results))}</figure>
<h2>Targets (issue 6)</h2>
${targets}
${sections.join('\n')}
</body>
</html>
`;
}
