/**
 * The report's first section: which backend to pick for each kind of work,
 * derived from this run's figures. A figure outside what the machine allows
 * (stats.ts: `noise`) is never a recommendation: it is named as noise with
 * what to run for a real answer. A winner is named only when its interval
 * lies clear of every other's; otherwise the report names the ones that the
 * run cannot tell apart.
 */
import { ms, ratio } from './format.js';
import type {
  BenchResults,
  Interval,
  Measurement,
  Recommendation,
  SubjectId,
  SubjectInfo,
  WorkKind,
  WorkloadId,
} from './results.js';
import { RunView } from './targets.js';
import { grainLabel } from './workloads/crossover.js';

interface Candidate {
  readonly id: SubjectId;
  readonly label: string;
  readonly row?: Measurement;
  /** The figure compared (a speedup: higher is better; a time: lower is better) and its interval. */
  readonly value: number;
  readonly ci: Interval;
}

const overlap = (a: Interval, b: Interval) => a.low <= b.high && b.low <= a.high;

/** A candidate's figure as text: '1.97× (1.95–1.99)' or '24.2 ms (23.9–24.8 ms)'. */
type Show = (c: Candidate) => string;
export const showRatio: Show = (c) => `${ratio(c.value)} (${c.ci.low.toFixed(2)}–${c.ci.high.toFixed(2)})`;
export const showTime: Show = (c) => `${ms(c.value)} (${ms(c.ci.low)}–${ms(c.ci.high)})`;

/** The confidence of the intervals compared, for the text: the lowest of them. */
function confidenceOf(candidates: readonly Candidate[]): string {
  const c = Math.min(...candidates.map((x) => x.ci.confidence));
  return `${Math.floor(c * 100)}%`;
}

/** Where a run's figures were noise: what to run to get real ones. */
function whatToRun(run: RunView, workload: WorkloadId): string {
  const quick = run.results.options.quick ? ' (not --quick)' : '';
  return `for a real answer, run \`pnpm bench --workloads ${workload}\`${quick} on an idle machine`;
}

/**
 * The decision among `candidates`: the best by `value`, a winner only when its
 * interval overlaps no other's; rows marked as noise are left out and named.
 */
function decide(
  run: RunView,
  work: WorkKind,
  title: string,
  workload: WorkloadId,
  candidates: readonly Candidate[],
  higherIsBetter: boolean,
  show: Show,
  what: string,
): Recommendation | undefined {
  if (candidates.length === 0) return undefined;
  const noisy = candidates.filter((c) => c.row?.noise);
  const sound = candidates
    .filter((c) => !c.row?.noise)
    .sort((a, b) => (higherIsBetter ? b.value - a.value : a.value - b.value));
  const noise = noisy.length
    ? ` Left out as noise, outside what the machine allows: ${noisy.map((c) => `${c.label} (${c.row?.noise?.join('; ')})`).join(', ')}; ${whatToRun(run, workload)}.`
    : '';
  const top = sound[0];
  if (!top || (sound.length === 1 && top.id === 'sequential')) {
    return { work, title, choice: null, tied: [], text: `No recommendation from this run.${noise}` };
  }
  const tied = sound.slice(1).filter((c) => overlap(c.ci, top.ci));
  const figure = top.row?.medianMs !== undefined ? { medianMs: top.row.medianMs, ci: top.row.ci } : undefined;
  const at = `${what} (intervals of the median at ${confidenceOf(sound)})`;
  if (tied.length > 0) {
    const all = [top, ...tied];
    return {
      work,
      title,
      choice: null,
      tied: all.map((c) => c.id),
      ...(figure ? { figure } : {}),
      text: `No single winner: ${all.map((c) => `${c.label} ${show(c)}`).join(', ')} lie within each other's spread on ${at}; any of them.${noise}`,
    };
  }
  const next = sound[1];
  return {
    work,
    title,
    choice: top.id,
    tied: [],
    ...(figure ? { figure } : {}),
    text: `${top.label}: ${show(top)} on ${at}${next ? `, clear of the next, ${next.label} ${show(next)}` : ''}.${noise}`,
  };
}

/** Each available parapool backend's row of `method` in `workload`, as a candidate by `figure`. */
function candidates(
  run: RunView,
  workload: WorkloadId,
  method: Measurement['method'],
  figure: 'speedup' | 'time',
  keep: (s: SubjectInfo) => boolean = () => true,
): Candidate[] {
  const out: Candidate[] = [];
  for (const s of run.results.subjects) {
    if (s.kind !== 'parapool' || !s.available || !keep(s)) continue;
    const row = run.row(workload, s.id, method);
    const value = figure === 'speedup' ? row?.speedup : row?.medianMs;
    const ci = figure === 'speedup' ? row?.speedupCi : row?.ci;
    if (row && value !== undefined && ci) out.push({ id: s.id, label: s.label, row, value, ci });
  }
  return out;
}

/** The sequential loop as a candidate by speedup: exactly 1×. */
const LOOP: Candidate = {
  id: 'sequential',
  label: 'the sequential loop',
  value: 1,
  ci: { low: 1, high: 1, confidence: 1 },
};

function cpuBound(run: RunView): Recommendation | undefined {
  const pools = candidates(run, 'cpu-bound', 'map', 'speedup', (s) => !s.inProcess);
  const tasks = pools[0]?.row?.items;
  const taskMs = (run.results.sizes as { cpuTaskMs?: number }).cpuTaskMs;
  const what = `${tasks} tasks of ${taskMs} ms, speedup over the sequential loop with ${String(run.results.options.processes)} processes`;
  return decide(
    run,
    'cpu-bound',
    'CPU-bound work, big items',
    'cpu-bound',
    pools.length ? [...pools, LOOP] : [],
    true,
    showRatio,
    what,
  );
}

function tinyItems(run: RunView): Recommendation | undefined {
  const loop = run.row('howmany', 'sequential', 'loop');
  const pools = candidates(run, 'howmany', 'map', 'time');
  if (!loop?.medianMs || !loop.ci || pools.length === 0) return undefined;
  const all = [
    { id: 'sequential', label: 'the sequential loop', row: loop, value: loop.medianMs, ci: loop.ci },
    ...pools,
  ];
  const what = `${loop.items.toLocaleString('en')} rows of howmany (a loop, or a pool's map)`;
  const r = decide(
    run,
    'tiny-items',
    'Tiny items (well under a microsecond of work each)',
    'howmany',
    all,
    false,
    showTime,
    what,
  );
  const grains = Object.entries(run.workload('crossover')?.crossoverUs ?? {})
    .filter(
      ([id, us]) => typeof us === 'number' && run.results.subjects.some((s) => s.id === id && s.kind === 'parapool'),
    )
    .sort((a, b) => (a[1] as number) - (b[1] as number));
  const from = grains[0];
  const pays = from
    ? ` A pool pays from about ${grainLabel(from[1] as number)} of work (${run.label(from[0])}, crossover): batch tiny items until each is that big.`
    : '';
  return r && { ...r, text: r.text + pays };
}

function ioBound(run: RunView): Recommendation | undefined {
  const pools = candidates(run, 'io-bound', 'map', 'speedup');
  const what = `${pools[0]?.row?.items.toLocaleString('en')} requests, speedup over batches awaited one at a time in the main thread`;
  const r = decide(
    run,
    'io-bound',
    'I/O-bound work (waiting on the network or the disk)',
    'io-bound',
    pools.length ? [...pools, LOOP] : [],
    true,
    showRatio,
    what,
  );
  const inline = run.results.subjects.find((s) => s.inProcess && (r?.choice === s.id || r?.tied.includes(s.id)));
  return r && inline
    ? { ...r, text: `${r.text} ${inline.label} needs no workers: async tasks overlap their waits in one thread.` }
    : r;
}

function isolation(run: RunView): Recommendation | undefined {
  const pools = candidates(run, 'cpu-bound', 'map', 'speedup', (s) => s.separateProcesses === true);
  const what = 'cpu-bound (every worker its own OS process: a crash or a leak stays there)';
  const r = decide(
    run,
    'isolation',
    'Process isolation needed (a crash or a leak must not take the caller down)',
    'cpu-bound',
    pools,
    true,
    showRatio,
    what,
  );
  const top = r?.choice ?? r?.tied[0];
  if (!r || !top) return r;
  const cold = (id: SubjectId) => run.row('cold-start', id, 'cold-start')?.medianMs;
  const threads = run.results.subjects
    .filter(
      (s) => s.kind === 'parapool' && s.available && !s.separateProcesses && !s.inProcess && cold(s.id) !== undefined,
    )
    .sort((a, b) => (cold(a.id) as number) - (cold(b.id) as number))[0];
  const round = run.row('apply-round-trip', top, 'round-trip')?.calls;
  const costs = [
    cold(top) !== undefined
      ? `cold start ${ms(cold(top))}${threads ? ` (threads, ${threads.label}: ${ms(cold(threads.id))})` : ''}`
      : undefined,
    round ? `apply round trip ${round.p50Us.toFixed(0)} µs (median call)` : undefined,
  ].filter(Boolean);
  return costs.length ? { ...r, text: `${r.text} What isolation costs (${run.label(top)}): ${costs.join(', ')}.` } : r;
}

/** A recommendation per kind of work, from the figures of `results` (a kind whose workload did not run is left out). */
export function recommend(results: BenchResults): Recommendation[] {
  const run = new RunView(results);
  return [cpuBound(run), tinyItems(run), ioBound(run), isolation(run)].filter(
    (r): r is Recommendation => r !== undefined,
  );
}
