/**
 * report.html: one self-contained page (inline SVG charts, inline CSS, no
 * script, no network) that opens offline. It starts with what to choose for
 * which work, then the failures (with their causes), the charts, the targets
 * and every workload's full table.
 */
import { crossoverSpec, headlineSpec, limitSpec, renderSvg, timesSpec } from './charts.js';
import { errorLine } from './errors.js';
import { ms } from './format.js';
import type { BenchResults, WorkloadResult } from './results.js';
import { labelIn, metText, tableOf } from './table.js';
import { grainLabel } from './workloads/crossover.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly number[] = [],
  rowClass: (i: number) => string = () => '',
): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r, i) => {
      const cls = rowClass(i);
      return `<tr${cls ? ` class="${cls}"` : ''}>${r.map((cell, j) => `<td${numeric.includes(j) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

async function workloadSection(w: WorkloadResult, results: BenchResults): Promise<string> {
  const { head, rows } = tableOf(w, results.subjects);
  // Runs on a sample of the inputs are charted apart: their times are of another size.
  const sample = w.measurements.filter((m) => m.method.endsWith('-sample'));
  const full = w.measurements.filter((m) => !m.method.endsWith('-sample'));
  const charts = [await renderSvg(timesSpec(results, w, full, sample.length ? ' (all the inputs)' : ''))];
  if (sample.length) charts.push(await renderSvg(timesSpec(results, w, sample, ' (runs on a sample)')));
  if (w.name === 'crossover') charts.unshift(await renderSvg(crossoverSpec(results, w)));
  const crossover = w.crossoverUs
    ? `<p><strong>Beats sequential from:</strong> ${Object.entries(w.crossoverUs)
        .map(
          ([s, us]) =>
            `${escapeHtml(labelIn(results.subjects, s as never))}: ${us === null || us === undefined ? 'never' : escapeHtml(grainLabel(us))}`,
        )
        .join('; ')}</p>`
    : '';
  const utilization = w.insights
    ? `<p><strong>Worker utilization</strong> (from <code>pool.insights()</code>, over the whole workload): ${Object.entries(
        w.insights,
      )
        .map(
          ([s, i]) =>
            `${escapeHtml(s)} ${((i?.utilization ?? 0) * 100).toFixed(0)}% (per job: moving data ${escapeHtml(ms(i?.transferMedianMs))}, working ${escapeHtml(ms(i?.workMedianMs))})`,
        )
        .join('; ')}</p>`
    : '';
  const numeric = head.map((_, i) => i).filter((i) => i >= 2 && i < head.length - 1);
  return `<section id="${escapeHtml(w.name)}">
<h2>${escapeHtml(w.title)}</h2>
<p>${escapeHtml(w.description)}</p>
${crossover}
${utilization}
${charts.map((svg) => `<figure>${svg}</figure>`).join('\n')}
${table(head, rows, numeric, (i) => (w.measurements[i]?.status !== 'ok' ? 'bad' : w.measurements[i]?.noise ? 'noise' : ''))}
</section>`;
}

/** The rounds of a run (latest.json keeps its options as plain data). */
function roundsOf(results: BenchResults): Record<string, unknown> {
  return (results.options.rounds ?? {}) as Record<string, unknown>;
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
    ['target', 'backend', 'measured', 'met', 'why'],
    results.targets.map((t) => [t.target, t.subject, t.value, metText(t), t.met === true ? '' : (t.note ?? '')]),
    [],
    (i) => (results.targets[i]?.met === false ? 'bad' : ''),
  );
  const failures = results.workloads.flatMap((w) =>
    w.measurements.filter((x) => x.status !== 'ok').map((x) => ({ w, x })),
  );
  const failed = failures.length
    ? `<h2 class="status-bad">Failed runs</h2>
<ul>${failures
        .map(
          ({ w, x }) =>
            `<li><strong>${escapeHtml(w.title)} · ${escapeHtml(labelIn(results.subjects, x.subject))} · ${escapeHtml(x.label)}</strong>: ${escapeHtml(errorLine(x.error, x.causes))}</li>`,
        )
        .join('\n')}</ul>`
    : '';
  const recommendations = `<h2>Which backend for which work</h2>
<p>On ${escapeHtml(m.runtime ?? `node ${m.node}`)}, ${m.availableParallelism} cores (load average ${escapeHtml(String(m.loadAverage[0] ?? '?'))} at the start)${results.options.quick ? ', a --quick run' : ''}, ${escapeHtml(results.date.slice(0, 10))}. Drawn from this run's figures. A backend is named only when its interval lies clear of every other's; a figure outside what the machine allows (a speedup above the processes or cores, a time below the hand-written limit, a negative overhead) is noise and never a recommendation.</p>
${results.recommendations.length ? `<dl>${results.recommendations.map((r) => `<dt>${escapeHtml(r.title)}</dt><dd>${escapeHtml(r.text)}</dd>`).join('\n')}</dl>` : '<p>No recommendation: the workloads it rests on did not run.</p>'}`;
  const noisy = results.workloads.flatMap((w) => w.measurements.filter((x) => x.noise));
  const noise = noisy.length
    ? `<h2>Noise</h2>
<p>${noisy.length} figure(s) of this run lie outside what the machine allows: they are shown faint in the charts and left out of every recommendation.${results.options.quick ? ' A --quick run is small and short: run without --quick for real figures.' : ' Run again on an idle machine (<code>uptime</code>: a load average below the cores).'}</p>
<ul>${noisy.map((x) => `<li>${escapeHtml(x.workload)} · ${escapeHtml(labelIn(results.subjects, x.subject))} · ${escapeHtml(x.label)}: ${escapeHtml(x.noise?.join('; ') ?? '')}</li>`).join('\n')}</ul>`
    : '';
  const met = results.targets.filter((t) => t.met === true).length;
  const missed = results.targets.filter((t) => t.met === false).length;
  const sections = [];
  for (const w of results.workloads) sections.push(await workloadSection(w, results));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>parapool bench — ${escapeHtml(results.date.slice(0, 10))}</title>
<style>
body { font: 15px/1.45 Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { color: #b00020; } tr.noise td { color: #888; }
dt { font-weight: bold; margin-top: 0.6rem; } dd { margin-left: 1.2rem; }
figure { margin: 1rem 0; overflow-x: auto; }
.status-bad { color: #b00020; }
</style>
</head>
<body>
<h1>parapool bench</h1>
${recommendations}
<h2>How to read it</h2>
<p>Every backend and reference on the same seeded inputs; every answer checked against the sequential one
(${results.ok ? 'all answers right' : '<strong class="status-bad">some runs failed or gave wrong answers: see below</strong>'}).
Each case runs until the interval of its median is within ± ${escapeHtml(String(Math.round(Number(roundsOf(results).precision) * 100)))}% of it (${escapeHtml(String(roundsOf(results).minRuns))} to ${escapeHtml(String(roundsOf(results).maxRuns))} timed runs after ${escapeHtml(String(roundsOf(results).warmup))} warm-up)${results.options.quick ? ' (--quick: small sizes, the times are only indicative)' : ''}, runs interleaved across columns. The interval of a median is distribution-free (order statistics), at 95% from 6 runs ([min, max] with its own, lower, confidence below that).
“× limit” is the median divided by the hand-written limit's (bare <code>node:worker_threads</code>, or a bare <code>fork</code> for child-process, measured in the same run).
“vs sequential” is the sequential median divided by this one (Python rows: against Python's own sequential loop).
“overhead/item” is (median − sequential median ÷ parallelism) ÷ items.</p>
${failed}
${noise}
<h2>Headline</h2>
<figure>${await renderSvg(headlineSpec(results))}</figure>
<figure>${await renderSvg(limitSpec(results))}</figure>
<h2>Machine and options</h2>
${machine}
${unavailable.length ? `<p>Not available in this run: ${unavailable.map((s) => `${escapeHtml(s.label)} (${escapeHtml(s.reason ?? '')})`).join('; ')}</p>` : ''}
${sections.join('\n')}
<h2 id="targets">The project's targets</h2>
<p>What parapool's own backends aim at (not a recommendation): ${met} met, ${missed} missed, ${results.targets.length - met - missed} not measurable in this run. Ratios within this run; “why” says what the figure is made of.</p>
${targets}
</body>
</html>
`;
}
