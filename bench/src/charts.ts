/**
 * Charts as SVG, rendered in Node by Vega-Lite → Vega (no browser, no canvas):
 * the HTML report inlines them and the README embeds the headline ones. Every
 * bar carries its value; ratio charts draw their 1× line; a column keeps its
 * colour everywhere (colors.ts); a failed run is written as failed, never
 * drawn as a bar.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { colorOf } from './colors.js';
import { ms, ratio } from './format.js';
import type { BenchResults, Measurement, MethodId, SubjectId, WorkloadId, WorkloadResult } from './results.js';
import { labelIn } from './table.js';
import { grainLabel } from './workloads/crossover.js';

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
  config: { font: 'Helvetica, Arial, sans-serif', axis: { labelLimit: 560 }, legend: { labelLimit: 260 } },
} as const;

const FAILED_COLOR = '#b00020';

const labelOf = (results: BenchResults, id: SubjectId) => labelIn(results.subjects, id);

/** Colour by subject, each subject present with its own colour. */
function colorBy(results: BenchResults, rows: readonly { id: SubjectId }[]) {
  const unique = [...new Set(rows.map((r) => r.id))];
  const scale = { domain: unique.map((id) => labelOf(results, id)), range: unique.map(colorOf) };
  return { field: 'subject', type: 'nominal' as const, scale, title: null };
}

/** A dashed reference line at x = 1 with its meaning written next to it. */
function oneLine(text: string) {
  return [
    {
      data: { values: [{ x: 1, text }] },
      mark: { type: 'rule', color: '#333', strokeDash: [5, 3], strokeWidth: 1.5 },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    },
    {
      data: { values: [{ x: 1, text }] },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -2, y: 0, fontSize: 11, color: '#333' },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'text' } },
    },
  ];
}

interface Bar {
  readonly group: string;
  readonly subject: string;
  readonly id: SubjectId;
  /** The ratio drawn; null for a failed run. */
  readonly value: number | null;
  readonly text: string;
  readonly failed: boolean;
  /** Outside what the machine allows (drawn faint, labelled). */
  readonly noise?: boolean;
}

/**
 * An x scale fitted to `values` (and `always`, e.g. the 1× line): linear from
 * 0 when they span less than `span` times, otherwise a log scale from just
 * below the smallest to just above the largest (never decades of empty axis).
 */
export function fittedScale(values: readonly number[], always: readonly number[] = [], span = 20) {
  const all = [...values, ...always].filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  if (all.length === 0) return { log: false, scale: { zero: true } };
  if (hi / lo <= span) return { log: false, scale: { zero: true, nice: false, domain: [0, hi * 1.15] } };
  return { log: true, scale: { type: 'log' as const, nice: false, domain: [lo / 1.25, hi * 1.25] } };
}

/**
 * Grouped horizontal bars of a ratio growing from 1× (right: more, left:
 * less), on a scale fitted to the data, with value labels; failed runs are
 * written, not drawn; noise (outside what the machine allows) is drawn faint
 * and labelled so.
 */
function ratioBars(
  results: BenchResults,
  bars: readonly Bar[],
  groups: readonly string[],
  title: { text: string; subtitle?: string },
  axis: string,
  one: string,
): TopLevelSpec {
  const y = { field: 'group', type: 'nominal' as const, sort: groups, title: null };
  const yOffset = { field: 'subject', type: 'nominal' as const, sort: null };
  const { log, scale } = fittedScale(
    bars.filter((b) => !b.failed).map((b) => b.value as number),
    [1],
  );
  const x = { field: 'value', type: 'quantitative' as const, title: `${axis}${log ? ', log scale' : ''}`, scale };
  return {
    ...base,
    title: { ...title, anchor: 'start' },
    width: 560,
    height: { step: 13 },
    data: { values: bars.map((b) => ({ ...b, value: b.value ?? 1 })) },
    layer: [
      {
        transform: [{ filter: '!datum.failed' }],
        mark: { type: 'bar' },
        encoding: {
          y,
          yOffset,
          x,
          x2: { datum: 1 },
          opacity: { condition: { test: 'datum.noise', value: 0.3 }, value: 1 },
          color: colorBy(results, bars),
          tooltip: [{ field: 'subject' }, { field: 'text' }],
        },
      },
      // The value at the end of its bar: right of a bar that grows right, left of one that grows left.
      {
        transform: [{ filter: '!datum.failed && datum.value >= 1' }],
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, color: '#222' },
        encoding: { y, yOffset, x, text: { field: 'text' } },
      },
      {
        transform: [{ filter: '!datum.failed && datum.value < 1' }],
        mark: { type: 'text', align: 'right', dx: -3, fontSize: 9, color: '#222' },
        encoding: { y, yOffset, x, text: { field: 'text' } },
      },
      {
        transform: [{ filter: 'datum.failed' }],
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9, fontWeight: 'bold', color: FAILED_COLOR },
        encoding: { y, yOffset, x: { datum: 1, type: 'quantitative', scale }, text: { field: 'text' } },
      },
      ...oneLine(one),
    ],
  } as TopLevelSpec;
}

/** The rows of the headline charts: for each workload, the method that stands for it. */
export const HEADLINE: readonly { workload: WorkloadId; method: MethodId; label: string }[] = [
  { workload: 'cpu-bound', method: 'map', label: 'cpu-bound (map)' },
  { workload: 'io-bound', method: 'map', label: 'io-bound (map)' },
  { workload: 'sort', method: 'sort-parts', label: 'sort (parts + merge)' },
  { workload: 'howmany', method: 'map', label: 'howmany (map)' },
  { workload: 'square', method: 'map', label: 'square (map)' },
];

/** The limit chart's rows: what each backend is compared with the hand-written limit on. */
export const LIMIT_ROWS: readonly { workload: WorkloadId; method: MethodId; label: string }[] = [
  { workload: 'howmany', method: 'map', label: 'howmany map' },
  { workload: 'howmany', method: 'starmap', label: 'howmany starmap' },
  { workload: 'square', method: 'map', label: 'square map' },
  { workload: 'apply-round-trip', method: 'round-trip', label: 'apply round trip' },
  { workload: 'cold-start', method: 'cold-start', label: 'cold start' },
];

function failedText(m: Measurement): string {
  return `FAILED: ${(m.error ?? m.status).slice(0, 60)}`;
}

/** Headline chart: speedup over sequential per backend on the main workloads. */
export function headlineSpec(results: BenchResults): TopLevelSpec {
  const bars: Bar[] = [];
  for (const h of HEADLINE) {
    const w = results.workloads.find((x) => x.name === h.workload);
    for (const m of w?.measurements ?? []) {
      if ((m.kind !== 'parapool' && m.subject !== 'python') || m.method !== h.method) continue;
      const failed = m.status !== 'ok' || m.speedup === undefined;
      bars.push({
        group: h.label,
        subject: labelOf(results, m.subject),
        id: m.subject,
        value: failed ? null : (m.speedup as number),
        text: failed ? failedText(m) : `${ratio(m.speedup)}${m.noise ? ' (noise)' : ''}`,
        failed,
        noise: !!m.noise,
      });
    }
  }
  return ratioBars(
    results,
    bars,
    HEADLINE.map((h) => h.label),
    {
      text: `parapool: speedup over a sequential loop (${String(results.options.processes)} processes)`,
      subtitle: `${results.machine.cpuModel}, ${results.machine.availableParallelism} cores, Node ${results.machine.node}, ${results.date.slice(0, 10)}; right of the line: faster than the loop`,
    },
    'speedup (× the sequential loop)',
    '1× = the sequential loop',
  );
}

/** Limit chart: each backend's time ÷ the hand-written limit's, on the rows the limit bounds. */
export function limitSpec(results: BenchResults): TopLevelSpec {
  const bars: Bar[] = [];
  for (const row of LIMIT_ROWS) {
    const w = results.workloads.find((x) => x.name === row.workload);
    for (const m of w?.measurements ?? []) {
      if (m.kind !== 'parapool' || m.method !== row.method) continue;
      const failed = m.status !== 'ok' || m.vsLimit === undefined;
      if (failed && m.status === 'ok') continue; // no limit to compare with (in-process inline)
      bars.push({
        group: row.label,
        subject: labelOf(results, m.subject),
        id: m.subject,
        value: failed ? null : (m.vsLimit as number),
        text: failed
          ? failedText(m)
          : `${ratio(m.vsLimit)} (${m.calls ? `${m.calls.p50Us.toFixed(0)} µs a call` : ms(m.medianMs)})${m.noise ? ' (noise)' : ''}`,
        failed,
        noise: !!m.noise,
      });
    }
  }
  return ratioBars(
    results,
    bars,
    LIMIT_ROWS.map((r) => r.label),
    {
      text: 'parapool: time ÷ the hand-written limit (bare worker_threads; child-process: bare fork)',
      subtitle: 'the same run; 1× is as fast as the machine allows, right of the line is slower',
    },
    '× the limit',
    '1× = the limit',
  );
}

/**
 * Median time per subject and method (bars, labelled), the interval of the
 * median as a line, failed rows written; `rows` are the workload's rows of one
 * size (its runs on a sample get a chart of their own).
 */
export function timesSpec(
  results: BenchResults,
  result: WorkloadResult,
  rows: readonly Measurement[],
  what: string,
): TopLevelSpec {
  const data = rows.map((m) => ({
    row: `${labelOf(results, m.subject)} · ${m.label}`,
    subject: labelOf(results, m.subject),
    id: m.subject,
    failed: m.status !== 'ok' || m.medianMs === undefined,
    median: m.medianMs ?? null,
    low: m.ci?.low ?? m.medianMs ?? null,
    high: m.ci?.high ?? m.medianMs ?? null,
    text:
      m.status !== 'ok' || m.medianMs === undefined ? failedText(m) : `${ms(m.medianMs)}${m.noise ? ' (noise)' : ''}`,
  }));
  const ok = data.filter((r) => !r.failed);
  const { log, scale } = fittedScale([...ok.map((r) => r.low as number), ...ok.map((r) => r.high as number)], [], 50);
  const start = log ? (scale.domain as number[])[0] : 0;
  const y = { field: 'row', type: 'nominal' as const, sort: null, title: null };
  const x = { field: 'median', type: 'quantitative' as const, title: `ms${log ? ' (log scale)' : ''}`, scale };
  return {
    ...base,
    title: { text: `${result.title}${what}: median time (line: its interval)`, anchor: 'start' },
    width: 520,
    height: { step: 16 },
    data: { values: data },
    layer: [
      {
        transform: [{ filter: '!datum.failed' }],
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x,
          x2: { datum: start },
          color: colorBy(results, data),
          tooltip: [{ field: 'row' }, { field: 'text' }],
        },
      },
      {
        transform: [{ filter: '!datum.failed' }],
        mark: { type: 'rule', color: '#222' },
        encoding: { y, x: { field: 'low', type: 'quantitative', scale }, x2: { field: 'high' } },
      },
      {
        transform: [{ filter: '!datum.failed' }],
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 9, color: '#222' },
        encoding: { y, x: { field: 'high', type: 'quantitative', scale }, text: { field: 'text' } },
      },
      {
        transform: [{ filter: 'datum.failed' }],
        mark: { type: 'text', align: 'left', dx: 2, fontSize: 9, fontWeight: 'bold', color: FAILED_COLOR },
        encoding: { y, x: { datum: start, type: 'quantitative', scale }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}

/** crossover: speedup against the work per item, one line per subject, the 1× line drawn. */
export function crossoverSpec(results: BenchResults, result: WorkloadResult): TopLevelSpec {
  const rows = result.measurements
    .filter((m) => m.speedup !== undefined && m.grainUs !== undefined)
    .map((m) => ({
      subject: labelOf(results, m.subject),
      id: m.subject,
      kind: m.kind,
      us: m.grainUs,
      speedup: m.speedup,
      text: ratio(m.speedup),
    }));
  const grains = [...new Set(rows.map((r) => r.us as number))].sort((a, b) => a - b);
  const x = {
    field: 'us',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    title: 'work per item (µs, log scale)',
    axis: { values: grains, labelExpr: 'datum.value >= 1000 ? datum.value / 1000 + " ms" : datum.value + " µs"' },
  };
  return {
    ...base,
    title: {
      text: 'crossover: speedup over the sequential loop by work per item',
      subtitle: `above the line: faster than the loop; ${grains.length ? `${grainLabel(grains[0] as number)} to ${grainLabel(grains.at(-1) as number)}` : ''}`,
      anchor: 'start',
    },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            field: 'speedup',
            type: 'quantitative',
            scale: fittedScale(
              rows.map((r) => r.speedup as number),
              [1],
              10,
            ).scale,
            title: 'speedup',
          },
          color: colorBy(results, rows),
          strokeDash: { field: 'kind', type: 'nominal', title: null },
          tooltip: [{ field: 'subject' }, { field: 'us' }, { field: 'text' }],
        },
      },
      {
        data: { values: [{ y: 1, text: '1× = the sequential loop' }] },
        mark: { type: 'rule', color: '#333', strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: [{ y: 1, text: '1× = the sequential loop' }] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', x: 4, dy: -2, fontSize: 11, color: '#333' },
        encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}
