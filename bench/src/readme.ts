/**
 * The figures block of the READMEs: the headline chart and a short table,
 * written between two markers so it can be regenerated from latest.json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { headlineSpec, renderSvg } from './charts.js';
import { ms, perItem, ratio } from './format.js';
import type { BenchResults, Measurement } from './results.js';
import { grainLabel } from './workloads/crossover.js';

/** Put these two lines into a README; the generator replaces what is between them. */
export const README_START = '<!-- parapool-bench:start -->';
export const README_END = '<!-- parapool-bench:end -->';

/** File name of the headline chart in the results directory. */
export const HEADLINE_FILE = 'headline.svg';

function pick(results: BenchResults, workload: string, subject: string, method: RegExp): Measurement | undefined {
  return results.workloads
    .find((w) => w.name === workload)
    ?.measurements.find((m) => m.subject === subject && m.status === 'ok' && method.test(m.method));
}

/** The markdown between the markers; `image` is the chart's path relative to the README. */
export function readmeBlock(results: BenchResults, image: string): string {
  const subjects = results.subjects.filter((s) => (s.kind === 'parapool' || s.name === 'python') && s.available);
  const lines = [
    '| backend | cpu-bound speedup | square: overhead/item | howmany map | applyAsync loop ÷ map | beats sequential from | cold start |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of subjects) {
    const cpu = pick(results, 'cpu-bound', s.name, /^map$/);
    const square = pick(results, 'square', s.name, /^map$/);
    const map = pick(results, 'howmany', s.name, /^map$/);
    const loop = pick(results, 'howmany', s.name, /^applyAsync \+ callback/);
    const cold = pick(results, 'cold-start', s.name, /first result$/);
    const us = results.workloads.find((w) => w.name === 'crossover')?.crossoverUs?.[s.name];
    const name = s.name === 'python' ? 'CPython Pool (reference)' : s.name;
    lines.push(
      `| ${name} | ${ratio(cpu?.speedup)} | ${perItem(square?.overheadNsPerItem)} | ${ms(map?.medianMs)} | ${
        loop?.medianMs !== undefined && map?.medianMs !== undefined ? ratio(loop.medianMs / map.medianMs) : '—'
      } | ${us === undefined ? '—' : us === null ? 'never' : grainLabel(us)} | ${ms(cold?.medianMs)} |`,
    );
  }
  const m = results.machine;
  return [
    README_START,
    `![Speedup over a sequential loop per backend](${image})`,
    '',
    ...lines,
    '',
    `Measured ${results.date.slice(0, 10)} with \`${results.command}\` on ${m.cpuModel} (${m.availableParallelism} cores${
      m.loadAverage[0] !== undefined ? `, load average ${m.loadAverage[0]} at the start` : ''
    }), Node ${m.node}${m.python ? `, CPython ${m.python}` : ''}; median of ${String(results.options.repeat)} runs. Python rows are against Python's own sequential loop. Every figure, chart and the per-method tables: \`bench/results/report.html\`. Regenerate this block with \`pnpm bench:readme\`.`,
    README_END,
  ].join('\n');
}

/**
 * Replaces the block between the markers of `file`. Returns false (and leaves the
 * file alone) when the file or its markers are missing.
 */
export async function updateReadme(file: string, results: BenchResults, chart: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return false;
  }
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) return false;
  const image = relative(dirname(file), chart).split('\\').join('/');
  const next = text.slice(0, start) + readmeBlock(results, image) + text.slice(end + README_END.length);
  if (next !== text) await writeFile(file, next);
  return true;
}

/** Writes the headline chart into the results directory; returns its path. */
export async function writeHeadline(results: BenchResults, outDir: string): Promise<string> {
  const path = join(outDir, HEADLINE_FILE);
  await writeFile(path, await renderSvg(headlineSpec(results)));
  return path;
}
