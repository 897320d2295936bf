/**
 * The report's first section: which backend to pick for each kind of work,
 * derived from this run's figures (nothing here names a backend: the
 * figures do).
 */
import { ms, ratio } from './format.js';
import type { BenchResults, Measurement, Recommendation, SubjectInfo } from './results.js';
import { RunView } from './targets.js';
import { grainLabel } from './workloads/crossover.js';

/** Figures within this factor of the best count as a tie (run-to-run noise on a shared machine). */
export const TIE = 1.05;

interface Scored {
  readonly subject: SubjectInfo;
  readonly row: Measurement;
  /** Higher is better. */
  readonly score: number;
}

function best(scored: readonly Scored[]): { top: Scored; ties: Scored[] } | undefined {
  const sorted = [...scored].sort((a, b) => b.score - a.score);
  const top = sorted[0];
  if (!top) return undefined;
  return { top, ties: sorted.slice(1).filter((s) => s.score * TIE >= top.score) };
}

function tiesText(ties: readonly Scored[], what: (s: Scored) => string): string {
  if (ties.length === 0) return '';
  return ` Within ${Math.round((TIE - 1) * 100)}% of it (a tie on this machine): ${ties.map((s) => `${s.subject.label} ${what(s)}`).join(', ')}.`;
}

/** Each available parapool backend (optionally only those with workers) with its row of `method` in `workload`. */
function rows(
  run: RunView,
  workload: Parameters<RunView['row']>[0],
  method: Parameters<RunView['row']>[2],
  score: (m: Measurement) => number | undefined,
  keep: (s: SubjectInfo) => boolean = () => true,
): Scored[] {
  const out: Scored[] = [];
  for (const subject of run.results.subjects) {
    if (subject.kind !== 'parapool' || !subject.available || !keep(subject)) continue;
    const row = run.row(workload, subject.id, method);
    const value = row ? score(row) : undefined;
    if (row && value !== undefined && Number.isFinite(value)) out.push({ subject, row, score: value });
  }
  return out;
}

function cpuBound(run: RunView): Recommendation | undefined {
  const w = run.workload('cpu-bound');
  const sequential = run.row('cpu-bound', 'sequential', 'loop');
  const pick = best(
    rows(
      run,
      'cpu-bound',
      'map',
      (m) => m.speedup,
      (s) => !s.inProcess,
    ),
  );
  if (!w || !pick || !sequential) return undefined;
  const { top, ties } = pick;
  const taskMs = (run.results.sizes as { cpuTaskMs?: number }).cpuTaskMs;
  const tasks = `${top.row.items} tasks of ${taskMs === undefined ? ms((sequential.medianMs ?? 0) / top.row.items) : `${taskMs} ms`}`;
  if (top.score < TIE) {
    return {
      work: 'cpu-bound',
      title: 'CPU-bound work, big items',
      choice: 'sequential',
      text: `No pool beat the sequential loop on ${tasks} (best: ${top.subject.label}, ${ratio(top.score)}): the machine had no idle core in this run.`,
    };
  }
  return {
    work: 'cpu-bound',
    title: 'CPU-bound work, big items',
    choice: top.subject.id,
    text: `${top.subject.label}: ${ratio(top.score)} the sequential loop on ${tasks} with ${String(run.results.options.processes)} processes.${tiesText(ties, (s) => ratio(s.score))}`,
  };
}

function tinyItems(run: RunView): Recommendation | undefined {
  const sequential = run.row('howmany', 'sequential', 'loop');
  const pick = best(rows(run, 'howmany', 'map', (m) => (m.medianMs ? 1 / m.medianMs : undefined)));
  if (!sequential?.medianMs || !pick) return undefined;
  const { top, ties } = pick;
  const crossover = run.workload('crossover')?.crossoverUs ?? {};
  const grains = Object.entries(crossover)
    .filter(
      ([id, us]) =>
        us !== null &&
        us !== undefined &&
        run.results.subjects.some((s) => s.id === id && s.kind === 'parapool' && !s.inProcess),
    )
    .sort((a, b) => (a[1] as number) - (b[1] as number));
  const from = grains[0];
  const pays = from
    ? ` A pool pays from about ${grainLabel(from[1] as number)} of work (${run.label(from[0] as SubjectInfo['id'])}, crossover); batch tiny items into bigger ones until each is that big.`
    : ' No pool beat the sequential loop at any grain of the crossover workload in this run.';
  const items = `${sequential.items.toLocaleString('en')} rows of howmany`;
  const topMs = 1 / top.score;
  if (topMs >= sequential.medianMs / TIE) {
    return {
      work: 'tiny-items',
      title: 'Tiny items (well under a microsecond of work each)',
      choice: 'sequential',
      text: `Keep them in a loop: the sequential loop does ${items} in ${ms(sequential.medianMs)}, the fastest pool (${top.subject.label}, map) in ${ms(topMs)} (${ratio(topMs / sequential.medianMs)} slower${top.row.vsLimit !== undefined ? `; ${ratio(top.row.vsLimit)} the hand-written limit` : ''}).${pays}`,
    };
  }
  return {
    work: 'tiny-items',
    title: 'Tiny items (well under a microsecond of work each)',
    choice: top.subject.id,
    text: `${top.subject.label}: map does ${items} in ${ms(topMs)}, against ${ms(sequential.medianMs)} for the sequential loop${top.row.vsLimit !== undefined ? ` (${ratio(top.row.vsLimit)} the hand-written limit)` : ''}.${tiesText(ties, (s) => ms(1 / s.score))}${pays}`,
  };
}

function ioBound(run: RunView): Recommendation | undefined {
  const all = rows(run, 'io-bound', 'map', (m) => m.speedup);
  const pick = best(all);
  if (!pick) return undefined;
  const { top, ties } = pick;
  const inline = all.find((s) => s.subject.inProcess);
  const requests = `${top.row.items.toLocaleString('en')} requests`;
  if (inline && inline.subject.id !== top.subject.id && inline.score * TIE >= top.score) {
    return {
      work: 'io-bound',
      title: 'I/O-bound work (waiting on the network or the disk)',
      choice: inline.subject.id,
      text: `${inline.subject.label} (no workers): ${ratio(inline.score)} the sequential batches on ${requests}, within ${Math.round((TIE - 1) * 100)}% of the best worker backend (${top.subject.label}, ${ratio(top.score)}): async tasks overlap their waits in one thread, so workers add nothing here.`,
    };
  }
  return {
    work: 'io-bound',
    title: 'I/O-bound work (waiting on the network or the disk)',
    choice: top.subject.id,
    text: `${top.subject.label}: ${ratio(top.score)} the sequential batches on ${requests}${inline && inline.subject.id !== top.subject.id ? ` (inline, in the calling thread: ${ratio(inline.score)})` : ''}.${tiesText(ties, (s) => ratio(s.score))}`,
  };
}

function isolation(run: RunView): Recommendation {
  const title = 'Process isolation needed (a crash or a leak must not take the caller down)';
  const processes = run.results.subjects.filter((s) => s.kind === 'parapool' && s.available && s.separateProcesses);
  const threads = run.results.subjects.filter(
    (s) => s.kind === 'parapool' && s.available && !s.separateProcesses && !s.inProcess,
  );
  const cold = (s: SubjectInfo) => run.row('cold-start', s.id, 'cold-start')?.medianMs;
  const scored = processes
    .map((subject) => ({ subject, cpu: run.row('cpu-bound', subject.id, 'map')?.speedup, cold: cold(subject) }))
    .sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0));
  const top = scored[0];
  if (!top) return { work: 'isolation', title, choice: null, text: 'No backend with one OS process per worker ran.' };
  const fastestThreadStart = threads
    .map((s) => ({ s, ms: cold(s) }))
    .filter((x): x is { s: SubjectInfo; ms: number } => x.ms !== undefined)
    .sort((a, b) => a.ms - b.ms)[0];
  const round = run.row('apply-round-trip', top.subject.id, 'round-trip');
  const map = run.row('howmany', top.subject.id, 'map');
  const costs = [
    top.cold !== undefined
      ? `cold start ${ms(top.cold)}${fastestThreadStart ? ` (the fastest with threads, ${fastestThreadStart.s.label}: ${ms(fastestThreadStart.ms)})` : ''}`
      : undefined,
    round?.calls ? `apply round trip ${round.calls.p50Us.toFixed(0)} µs (p50)` : undefined,
    map?.vsLimit !== undefined ? `howmany map ${ratio(map.vsLimit)} the limit` : undefined,
  ].filter(Boolean);
  return {
    work: 'isolation',
    title,
    choice: top.subject.id,
    text: `${top.subject.label}: every worker is its own OS process; cpu-bound ${ratio(top.cpu)} sequential.${costs.length > 0 ? ` What isolation costs here: ${costs.join(', ')}.` : ''}${
      scored.length > 1
        ? ` Also with processes: ${scored
            .slice(1)
            .map((s) => s.subject.label)
            .join(', ')}.`
        : ''
    }`,
  };
}

/** A recommendation per kind of work, from the figures of `results` (a kind whose workload did not run is left out). */
export function recommend(results: BenchResults): Recommendation[] {
  const run = new RunView(results);
  return [cpuBound(run), tinyItems(run), ioBound(run), isolation(run)].filter(
    (r): r is Recommendation => r !== undefined,
  );
}
