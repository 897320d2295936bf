#!/usr/bin/env node
/**
 * `pnpm bench`: runs every workload on every backend, prints a table per
 * workload, the targets and the recommendations, writes latest.json,
 * report.html and the charts (by default into the git-ignored bench/runs),
 * and exits non-zero if any answer was wrong or any run failed.
 */
import { relative } from 'node:path';
import { cpuCount } from '@parapool/core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { configureBullmqCluster } from './bullmq-cluster.js';
import { errorLine } from './errors.js';
import { machineInfo, pythonVersion } from './machine.js';
import {
  type BenchOptions,
  fullRounds,
  normalizeSubjectName,
  quickRounds,
  type Rounds,
  type SelectableSubject,
  subjectNames,
} from './options.js';
import { writeResults, writeSnapshot } from './output.js';
import { defaultResultsDir } from './paths.js';
import { recommend } from './recommend.js';
import type { BenchResults } from './results.js';
import { runBench } from './runner.js';
import { decisionAcross, RUNTIMES, runAcross, writeAcross } from './runtimes.js';
import { labelIn, noiseText, recommendationsText, targetsTable } from './table.js';
import { checkTargets } from './targets.js';
import { workloadNames } from './workloads/index.js';

function positiveInteger(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be an integer ≥ 1.`);
    return n;
  };
}

function positiveNumber(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0)) throw new InvalidArgumentError(`${what} must be a number > 0.`);
    return n;
  };
}

function listOf<T extends string>(
  known: readonly T[],
  what: string,
  normalize: (s: string) => string = (s) => s.trim(),
) {
  return (value: string): T[] => {
    const names = value.split(',').map(normalize).filter(Boolean);
    const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(`unknown ${what}: ${unknown.join(', ')}. Known: ${known.join(', ')}.`);
    }
    return names as T[];
  };
}

const program = new Command()
  .name('parapool-bench')
  .description(
    'Compare every parapool backend with a hand-written limit, the raw pool libraries and CPython multiprocessing.Pool on the tutorial workloads.',
  )
  .addOption(
    new Option(
      '--backends <list>',
      `comma-separated, from: ${subjectNames.join(', ')} (the sequential loop and the limit always run)`,
    )
      .argParser(listOf(subjectNames, 'backend', normalizeSubjectName))
      .default(
        subjectNames.filter((n) => n !== 'bullmq'),
        'all but bullmq',
      ),
  )
  .addOption(
    new Option('--workloads <list>', `comma-separated, from: ${workloadNames.join(', ')}`)
      .argParser(listOf(workloadNames, 'workload'))
      .default(workloadNames, 'all'),
  )
  .option('--processes <n>', 'workers per pool', positiveInteger('--processes'), cpuCount())
  .option('--hosts <n>', 'bullmq: parapool-worker hosts sharing --processes slots', positiveInteger('--hosts'), 2)
  .option(
    '--min-runs <n>',
    'timed runs of each case at least, after one warm-up run (default 6; --quick: 3)',
    positiveInteger('--min-runs'),
  )
  .option(
    '--max-runs <n>',
    'timed runs of a case at most, while its median is not precise enough (default 12; --quick: 3)',
    positiveInteger('--max-runs'),
  )
  .option(
    '--precision <percent>',
    "a case runs again while its median's 95% interval is wider than ± this (default 3; --quick: 10)",
    positiveNumber('--precision'),
  )
  .option('--quick', 'small sizes and 3 runs: every workload and method runs and is checked, in under a minute', false)
  .option('--python', "also run CPython's multiprocessing.Pool (python3) as a reference", false)
  .addOption(
    new Option('--out <dir>', 'where latest.json, report.html and the charts go').default(
      defaultResultsDir,
      'bench/runs, git-ignored',
    ),
  )
  .option('--seed <n>', 'seed of the random inputs', positiveInteger('--seed'), 2026)
  .addOption(
    new Option('--progress <mode>', 'progress: a bar on a terminal (auto), plain lines, or none')
      .choices(['auto', 'lines', 'none'])
      .default('auto'),
  )
  .option(
    '--readme',
    'after the run, also make it the committed snapshot: bench/results and the READMEs (as pnpm bench:readme does)',
    false,
  )
  .option('--timeout <s>', 'give up on a single run after this many seconds', positiveInteger('--timeout'), 60)
  .addOption(
    new Option(
      '--runtime <list>',
      `run the bench under each of these runtimes (from: ${Object.keys(RUNTIMES).join(', ')}; installed from npm on first use) and decide which backend on which runtime`,
    ).argParser(listOf(Object.keys(RUNTIMES), 'runtime')),
  );

// `pnpm bench -- --processes 2` hands the script a leading `--`: options follow it.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
program.parse(argv, { from: 'user' });
const raw = program.opts<{
  backends: SelectableSubject[];
  workloads: string[];
  processes: number;
  minRuns?: number;
  maxRuns?: number;
  precision?: number;
  quick: boolean;
  python: boolean;
  out: string;
  seed: number;
  progress: 'auto' | 'lines' | 'none';
  readme: boolean;
  timeout: number;
  hosts: number;
  runtime?: string[];
}>();

if (raw.runtime) {
  // Each runtime runs this very command without --runtime, into a folder of its own.
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--runtime' || arg === '--out') i++;
    else if (!arg.startsWith('--runtime=') && !arg.startsWith('--out=')) rest.push(arg);
  }
  const runs = await runAcross(raw.runtime, rest, raw.out);
  process.stdout.write(`\nwhich backend, on which runtime:\n${decisionAcross(runs).join('\n')}\n`);
  process.stdout.write(`\nwrote ${relative(process.cwd(), await writeAcross(runs, raw.out))}\n`);
  process.exit(runs.every((r) => r.results?.ok) ? 0 : 1);
}
configureBullmqCluster({ hosts: raw.hosts, processes: raw.processes });

const options: BenchOptions = {
  backends: raw.backends,
  workloads: raw.workloads,
  processes: raw.processes,
  rounds: roundsOf(raw),
  quick: raw.quick,
  python: raw.python,
  out: raw.out,
  seed: raw.seed,
  progress: raw.progress,
  readme: raw.readme,
  timeoutS: raw.timeout,
};

/** The rounds asked for: the defaults of the mode, each overridable. */
function roundsOf(o: typeof raw): Rounds {
  const base = o.quick ? quickRounds : fullRounds;
  const minRuns = o.minRuns ?? Math.min(base.minRuns, o.maxRuns ?? base.minRuns);
  const maxRuns = Math.max(minRuns, o.maxRuns ?? base.maxRuns);
  return { ...base, minRuns, maxRuns, precision: o.precision === undefined ? base.precision : o.precision / 100 };
}

const started = performance.now();
const python = options.python ? await pythonVersion() : undefined;
const machine = machineInfo(python);
const date = new Date().toISOString();
const print = (text: string) => process.stdout.write(`${text}\n`);
const show = (path: string) => relative(process.cwd(), path);
print(
  `parapool bench: ${options.processes} processes, ${options.rounds.minRuns}–${options.rounds.maxRuns} timed runs a case (until its median is known within ± ${options.rounds.precision * 100}%) after ${options.rounds.warmup} warm-up, ${options.quick ? 'quick sizes (times are only indicative)' : 'full sizes'}, seed ${options.seed}, on ${machine.cpuModel} (${machine.availableParallelism} cores, load average ${machine.loadAverage[0] ?? '?'}), ${machine.runtime}`,
);
const outcome = await runBench(options, python, print);
const results: BenchResults = {
  version: 2,
  date,
  command: `pnpm bench ${argv.join(' ')}`.trim(),
  machine,
  options: { ...options, out: show(options.out) || '.' },
  sizes: { ...outcome.sizes },
  subjects: outcome.subjects,
  workloads: outcome.workloads,
  targets: [],
  recommendations: [],
  ok: outcome.workloads.every((w) => w.measurements.every((m) => m.status === 'ok')),
  durationS: (performance.now() - started) / 1000,
};
results.targets = checkTargets(results);
results.recommendations = recommend(results);
print(targetsTable(results.targets));
print(noiseText(results.workloads, results.subjects));
print(recommendationsText(results.recommendations));
const written = await writeResults(results, options.out);
print(
  `\nwrote ${[written.json, written.html, written.charts.headline, written.charts.limit].map(show).join(', ')} in ${Math.round(results.durationS)} s`,
);
if (options.readme) {
  const snapshot = await writeSnapshot(results);
  print(
    `snapshot: wrote ${show(snapshot.written.json)} and its report and charts; ${
      snapshot.readmes.length ? `updated ${snapshot.readmes.map(show).join(', ')}` : 'no README has the figure markers'
    }`,
  );
}
if (!results.ok) {
  const bad = outcome.workloads.flatMap((w) => w.measurements.filter((m) => m.status !== 'ok'));
  print(`\nFAILED: ${bad.length} run(s) failed or gave a wrong answer:`);
  for (const m of bad) {
    print(`  ${m.workload} · ${labelIn(results.subjects, m.subject)} · ${m.label}: ${errorLine(m.error, m.causes)}`);
  }
  process.exitCode = 1;
}
