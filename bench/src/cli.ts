#!/usr/bin/env node
/**
 * `pnpm bench`: runs every workload on every backend, prints a table per
 * workload, writes results/latest.json, results/report.html and the headline
 * chart, and exits non-zero if any answer was wrong or any run failed.
 */
import { relative } from 'node:path';
import { cpuCount } from '@parapool/core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { configureBullmqCluster } from './bullmq-cluster.js';
import { machineInfo, pythonVersion } from './machine.js';
import { type BenchOptions, normalizeSubjectName, subjectNames } from './options.js';
import { updateReadmes, writeResults } from './output.js';
import { defaultResultsDir } from './paths.js';
import type { BenchResults } from './results.js';
import { runBench } from './runner.js';
import { targetsTable } from './table.js';
import { checkTargets } from './targets.js';
import { workloadNames } from './workloads/index.js';

function positiveInteger(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be an integer ≥ 1.`);
    return n;
  };
}

function listOf(known: readonly string[], what: string, normalize: (s: string) => string = (s) => s.trim()) {
  return (value: string): string[] => {
    const names = value.split(',').map(normalize).filter(Boolean);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(`unknown ${what}: ${unknown.join(', ')}. Known: ${known.join(', ')}.`);
    }
    return names;
  };
}

const program = new Command()
  .name('parapool-bench')
  .description(
    'Compare every parapool backend, the raw pool libraries and CPython multiprocessing.Pool on the seed workloads.',
  )
  .addOption(
    new Option(
      '--backends <list>',
      `comma-separated, from: ${subjectNames.map((n) => n.replace(/ \((raw)\)$/, '-$1')).join(', ')} (the sequential reference always runs)`,
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
    '--repeat <n>',
    'timed runs per measurement, after one warm-up run (default: 5; --quick: 1, no warm-up)',
    positiveInteger('--repeat'),
  )
  .option('--quick', 'small sizes: every workload and method in well under a minute', false)
  .option('--python', "also run CPython's multiprocessing.Pool (python3) as a reference", false)
  .addOption(
    new Option('--out <dir>', 'where latest.json, report.html and headline.svg go').default(
      defaultResultsDir,
      'bench/results',
    ),
  )
  .option('--seed <n>', 'seed of the random inputs', positiveInteger('--seed'), 2026)
  .addOption(
    new Option('--progress <mode>', 'progress: a bar on a terminal (auto), plain lines, or none')
      .choices(['auto', 'lines', 'none'])
      .default('auto'),
  )
  .option('--readme', 'after the run, rewrite the figures block of the READMEs (as pnpm bench:readme does)', false)
  .option('--timeout <s>', 'give up on a single run after this many seconds', positiveInteger('--timeout'), 300);

program.parse();
const raw = program.opts<{
  backends: string[];
  workloads: string[];
  processes: number;
  repeat?: number;
  quick: boolean;
  python: boolean;
  out: string;
  seed: number;
  progress: 'auto' | 'lines' | 'none';
  readme: boolean;
  timeout: number;
  hosts: number;
}>();
configureBullmqCluster({ hosts: raw.hosts, processes: raw.processes });

const options: BenchOptions = {
  backends: raw.backends,
  workloads: raw.workloads,
  processes: raw.processes,
  repeat: raw.repeat ?? (raw.quick ? 1 : 5),
  quick: raw.quick,
  python: raw.python,
  out: raw.out,
  seed: raw.seed,
  progress: raw.progress,
  readme: raw.readme,
  timeoutS: raw.timeout,
};

const started = performance.now();
const python = options.python ? await pythonVersion() : undefined;
const machine = machineInfo(python);
const date = new Date().toISOString();
const print = (text: string) => process.stdout.write(`${text}\n`);
print(
  `parapool bench: ${options.processes} processes, ${options.repeat} timed run(s)${options.quick ? ', quick sizes and no warm-up (times are only indicative)' : ' after 1 warm-up, full sizes'}, seed ${options.seed}, on ${machine.cpuModel} (${machine.availableParallelism} cores), Node ${machine.node}`,
);
const outcome = await runBench(options, python, print);
const results: BenchResults = {
  version: 1,
  date,
  command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
  machine,
  options: { ...options, out: relative(process.cwd(), options.out) || '.' },
  sizes: { ...outcome.sizes },
  subjects: outcome.subjects,
  workloads: outcome.workloads,
  targets: [],
  ok: outcome.workloads.every((w) => w.measurements.every((m) => m.status === 'ok')),
  durationS: (performance.now() - started) / 1000,
};
results.targets = checkTargets(results);
print(targetsTable(results.targets));
const written = await writeResults(results, options.out);
print(
  `\nwrote ${relative(process.cwd(), written.json)}, ${relative(process.cwd(), written.html)}, ${relative(process.cwd(), written.chart)}`,
);
if (options.readme) {
  const updated = await updateReadmes(results, written.chart);
  print(
    updated.length
      ? `updated ${updated.map((f) => relative(process.cwd(), f)).join(', ')}`
      : 'no README has the figure markers',
  );
}
if (!results.ok) {
  const bad = outcome.workloads.flatMap((w) => w.measurements.filter((m) => m.status !== 'ok'));
  print(`\nFAILED: ${bad.length} run(s) failed or gave a wrong answer:`);
  for (const m of bad) print(`  ${m.workload} · ${m.subject} · ${m.method}: ${m.error ?? m.status}`);
  process.exitCode = 1;
}
