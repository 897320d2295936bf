/**
 * The figures block of the READMEs: the headline charts, the recommendations
 * and a short table, written between two markers so it can be regenerated from
 * a run's latest.json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import prettyMs from 'pretty-ms';
import { headlineSpec, limitSpec, renderSvg } from './charts.js';
import { ms, perItem, ratio } from './format.js';
import type { BenchResults, Measurement, MethodId, SubjectId, WorkloadId } from './results.js';
import { grainLabel } from './workloads/crossover.js';

/** Put these two lines into a README; the generator replaces what is between them. */
export const README_START = '<!-- parapool-bench:start -->';
export const README_END = '<!-- parapool-bench:end -->';

/** File names of the charts in a results directory. */
export const HEADLINE_FILE = 'headline.svg';
export const LIMIT_FILE = 'limit.svg';

function pick(
  results: BenchResults,
  workload: WorkloadId,
  subject: SubjectId,
  method: MethodId,
): Measurement | undefined {
  return results.workloads
    .find((w) => w.name === workload)
    ?.measurements.find((m) => m.subject === subject && m.status === 'ok' && m.method === method);
}

/** The markdown between the markers; `images` are the charts' paths relative to the README. */
export function readmeBlock(results: BenchResults, images: { headline: string; limit: string }): string {
  const subjects = results.subjects.filter((s) => (s.kind === 'parapool' || s.id === 'python') && s.available);
  const lines = [
    '| backend | cpu-bound speedup | howmany map | square: overhead/item | apply round trip (p50) | applyAsync loop ÷ map | beats sequential from | cold start |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const limitSquare = pick(results, 'square', 'limit', 'map')?.overheadNsPerItem;
  for (const s of subjects) {
    const cpu = pick(results, 'cpu-bound', s.id, 'map');
    const square = pick(results, 'square', s.id, 'map');
    const map = pick(results, 'howmany', s.id, 'map');
    const loop = pick(results, 'howmany', s.id, 'apply-async-callback');
    const round = pick(results, 'apply-round-trip', s.id, 'round-trip');
    const cold = pick(results, 'cold-start', s.id, 'cold-start');
    const us = results.workloads.find((w) => w.name === 'crossover')?.crossoverUs?.[s.id];
    const name = s.id === 'python' ? 'CPython Pool (reference)' : s.label;
    const mapCell =
      map?.medianMs === undefined
        ? '—'
        : `${ms(map.medianMs)}${map.vsLimit !== undefined ? ` (${ratio(map.vsLimit)} limit)` : ''}`;
    const squareCell =
      square?.overheadNsPerItem === undefined
        ? '—'
        : `${perItem(square.overheadNsPerItem)}${limitSquare && limitSquare > 0 && s.kind === 'parapool' && !s.inProcess ? ` (${ratio(square.overheadNsPerItem / limitSquare)} limit)` : ''}`;
    lines.push(
      `| ${name} | ${ratio(cpu?.speedup)} | ${mapCell} | ${squareCell} | ${round?.calls ? `${round.calls.p50Us.toFixed(0)} µs` : '—'} | ${
        loop?.medianMs !== undefined && map?.medianMs !== undefined ? ratio(loop.medianMs / map.medianMs) : '—'
      } | ${us === undefined ? '—' : us === null ? 'never' : grainLabel(us)} | ${ms(cold?.medianMs)} |`,
    );
  }
  const limitMap = pick(results, 'howmany', 'limit', 'map');
  const limitRound = pick(results, 'apply-round-trip', 'limit', 'round-trip');
  const limitCold = pick(results, 'cold-start', 'limit', 'cold-start');
  lines.push(
    `| limit (hand-written bare worker_threads) | — | ${ms(limitMap?.medianMs)} | ${perItem(limitSquare)} | ${limitRound?.calls ? `${limitRound.calls.p50Us.toFixed(0)} µs` : '—'} | — | — | ${ms(limitCold?.medianMs)} |`,
  );
  const met = results.targets.filter((t) => t.met === true).length;
  const missed = results.targets.filter((t) => t.met === false).length;
  const m = results.machine;
  return [
    README_START,
    ...results.recommendations.map((r) => `- **${r.title}**: ${r.text}`),
    '',
    `![Speedup over a sequential loop per backend](${images.headline})`,
    `![Each backend's time divided by the hand-written limit's](${images.limit})`,
    '',
    ...lines,
    '',
    `The project's own targets (the end of the report): ${met} met, ${missed} missed, ${results.targets.length - met - missed} not measurable.`,
    '',
    `Measured ${results.date.slice(0, 10)} with \`${results.command}\` on ${m.cpuModel} (${m.availableParallelism} cores${
      m.loadAverage[0] !== undefined ? `, load average ${m.loadAverage[0]} at the start` : ''
    }), Node ${m.node}${m.python ? `, CPython ${m.python}` : ''}; each case run until the 95% interval of its median is within ± ${Math.round(Number((results.options.rounds as { precision?: number } | undefined)?.precision ?? 0) * 100)}% (capped), in ${prettyMs(results.durationS * 1000, { secondsDecimalDigits: 0 })}.${m.python ? " Python rows are against Python's own sequential loop." : ''} Every figure, chart, target and the per-method tables: \`bench/results/report.html\`. Regenerate this block with \`pnpm bench:readme\`.`,
    README_END,
  ].join('\n');
}

/**
 * Replaces the block between the markers of `file`. Returns false (and leaves the
 * file alone) when the file or its markers are missing.
 */
export async function updateReadme(
  file: string,
  results: BenchResults,
  charts: { headline: string; limit: string },
): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return false;
  }
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) return false;
  const rel = (chart: string) => relative(dirname(file), chart).split('\\').join('/');
  const block = readmeBlock(results, { headline: rel(charts.headline), limit: rel(charts.limit) });
  const next = text.slice(0, start) + block + text.slice(end + README_END.length);
  if (next !== text) await writeFile(file, next);
  return true;
}

/** Writes the headline charts into a results directory; returns their paths. */
export async function writeCharts(results: BenchResults, outDir: string): Promise<{ headline: string; limit: string }> {
  const headline = join(outDir, HEADLINE_FILE);
  const limit = join(outDir, LIMIT_FILE);
  await writeFile(headline, await renderSvg(headlineSpec(results)));
  await writeFile(limit, await renderSvg(limitSpec(results)));
  return { headline, limit };
}
