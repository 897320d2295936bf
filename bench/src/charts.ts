/**
 * Charts as SVG, rendered in Node by Vega-Lite → Vega (no browser, no canvas):
 * the HTML report inlines them and the README embeds the headline one.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResults, WorkloadResult } from './results.js';

const KIND_COLORS = {
  domain: ['sequential', 'parapool', 'raw', 'python'],
  range: ['#8c8c8c', '#2f6fdf', '#f0a030', '#3a9a5b'],
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  config: { font: 'Helvetica, Arial, sans-serif', axis: { labelLimit: 420 } },
} as const;

/** Median time per subject and method, with the min–max range. */
export function timesSpec(result: WorkloadResult): TopLevelSpec {
  const rows = result.measurements
    .filter((m) => m.medianMs !== undefined)
    .map((m) => ({
      row: `${m.subject} · ${m.method}`,
      kind: m.kind,
      median: m.medianMs,
      min: m.minMs,
      max: m.maxMs,
    }));
  const lowest = Math.max(1e-6, Math.min(...rows.map((r) => r.min as number)));
  const log = Math.max(...rows.map((r) => r.max as number)) / lowest > 50;
  // A log scale cannot include 0: its bars start at the power of ten below the fastest run.
  const start = log ? 10 ** Math.floor(Math.log10(lowest)) : 0;
  const scale = log ? { type: 'log' as const, domainMin: start } : { zero: true };
  const y = { field: 'row', type: 'nominal' as const, sort: null, title: null };
  return {
    ...base,
    title: { text: `${result.title}: median time (line: min – max)`, anchor: 'start' },
    width: 520,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: { field: 'median', type: 'quantitative', title: `ms${log ? ' (log scale)' : ''}`, scale },
          x2: { datum: start },
          color: { field: 'kind', type: 'nominal', scale: KIND_COLORS, title: null },
          tooltip: [{ field: 'row' }, { field: 'median', format: '.2f' }],
        },
      },
      {
        mark: { type: 'rule', color: '#222' },
        encoding: { y, x: { field: 'min', type: 'quantitative', scale }, x2: { field: 'max' } },
      },
    ],
  } as TopLevelSpec;
}

/** crossover: speedup against the work per item, one line per subject. */
export function crossoverSpec(
  result: WorkloadResult,
  grainsUs: readonly number[],
  label: (us: number) => string,
): TopLevelSpec {
  const rows = result.measurements
    .filter((m) => m.speedup !== undefined)
    .map((m) => ({
      subject: m.subject,
      kind: m.kind,
      us: grainsUs.find((us) => label(us) === m.method),
      speedup: m.speedup,
    }))
    .filter((r) => r.us !== undefined);
  return {
    ...base,
    title: { text: 'crossover: speedup over sequential by work per item', anchor: 'start' },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'us', type: 'quantitative', scale: { type: 'log' }, title: 'work per item (µs, log scale)' },
          y: { field: 'speedup', type: 'quantitative', scale: { type: 'log' }, title: 'speedup (log scale)' },
          color: { field: 'subject', type: 'nominal', title: null },
          strokeDash: { field: 'kind', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ y: 1 }] },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 4] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** The headline rows: for each workload, the method that stands for it. */
export const HEADLINE: readonly { workload: string; method: RegExp; label: string }[] = [
  { workload: 'cpu-bound', method: /^map$/, label: 'cpu-bound (map)' },
  { workload: 'howmany', method: /^map$/, label: 'howmany (map)' },
  { workload: 'square', method: /^map$/, label: 'square (map)' },
  { workload: 'io-bound', method: /^map/, label: 'io-bound (map)' },
  { workload: 'sort', method: /^sort parts/, label: 'sort (parts + merge)' },
];

/** Headline chart: speedup over sequential per backend on the main workloads. */
export function headlineSpec(results: BenchResults): TopLevelSpec {
  const rows: { workload: string; subject: string; speedup: number }[] = [];
  for (const h of HEADLINE) {
    const w = results.workloads.find((x) => x.name === h.workload);
    for (const m of w?.measurements ?? []) {
      if ((m.kind === 'parapool' || m.kind === 'python') && m.speedup !== undefined && h.method.test(m.method)) {
        rows.push({ workload: h.label, subject: m.subject, speedup: m.speedup });
      }
    }
  }
  const y = { field: 'workload', type: 'nominal' as const, sort: HEADLINE.map((h) => h.label), title: null };
  return {
    ...base,
    title: {
      text: `parapool: speedup over a sequential loop (${results.options.processes} processes)`,
      subtitle: `${results.machine.cpuModel}, ${results.machine.availableParallelism} cores, Node ${results.machine.node}, ${results.date.slice(0, 10)}; bars right of 1× are faster than sequential`,
      anchor: 'start',
    },
    width: 520,
    height: { step: 12 },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset: { field: 'subject', type: 'nominal' },
          x: {
            field: 'speedup',
            type: 'quantitative',
            title: 'speedup (× sequential, log scale)',
            scale: { type: 'log' },
          },
          // Bars grow from 1× (as fast as sequential): right is faster, left slower.
          x2: { datum: 1 },
          color: { field: 'subject', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ x: 1 }] },
        mark: { type: 'rule', color: '#444', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
