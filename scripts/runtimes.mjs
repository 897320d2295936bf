#!/usr/bin/env node
/**
 * The runtime × backend matrix (`pnpm test:runtimes`): the contract on every
 * supported runtime, run inside that runtime.
 *
 * 1. Installs the runtimes that are missing from the npm registry into
 *    `.runtimes/` (git-ignored): Node 22, 24 and 26, Bun 1.x, Deno 2.x, each a
 *    plain npm package holding the binary (`npm install --prefix .runtimes`).
 * 2. Runs, with each runtime, the repository's own test files for the
 *    contract: every adapter's conformance suite (`test/conformance*.test.ts`
 *    of each package in backends.json, and bullmq), the examples
 *    (apps/examples, every program on every backend, each a real process of
 *    that runtime), the README's Quick start (apps/examples/test/quickstart.test.ts)
 *    and how a TypeScript task module loads (packages/core). vitest itself runs
 *    inside the runtime (`bun --bun`, `deno run`), so the workers and processes
 *    the tests start are that runtime's too. The packages must be built (`pnpm build`).
 * 3. Writes what happened as data, `runtimes.json`: per target and runtime,
 *    pass, refused (the backend refuses this runtime at createPool, as its test
 *    checks) or fail, with the reason of every cell that is not a pass.
 *
 * `node scripts/runtimes-table.mjs` writes the README's table from that file.
 *
 * Usage: node scripts/runtimes.mjs [--runtimes node22,bun,...] [--targets piscina,examples,...] [--out file]
 *        node scripts/runtimes.mjs --runtimes node22,... --install-only   (installs; prints { name: binary } as JSON)
 * Exits with 1 if a cell failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readBackends } from './backends.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIMES_DIR = join(root, '.runtimes');
/** A vitest run that has not ended after this long is stopped, and its cells fail as hung. */
const RUN_LIMIT_MS = 15 * 60_000;

const os = process.platform;
const arch = process.arch;

/**
 * The supported runtimes: where npm has each one, and how vitest runs in it.
 * `spec` is what `npm install` installs (an alias, so the three Nodes live side by side).
 */
const RUNTIMES = {
  node22: { label: 'Node 22', spec: `node22@npm:node-${os}-${arch}@22`, bin: 'node22/bin/node', run: [] },
  node24: { label: 'Node 24', spec: `node24@npm:node-${os}-${arch}@24`, bin: 'node24/bin/node', run: [] },
  node26: { label: 'Node 26', spec: `node26@npm:node-${os}-${arch}@26`, bin: 'node26/bin/node', run: [] },
  bun: { label: 'Bun 1', spec: `bun@npm:@oven/bun-${os}-${arch}@1`, bin: 'bun/bin/bun', run: ['--bun'] },
  deno: {
    label: 'Deno 2',
    spec: `deno@npm:@deno/${os}-${arch}${os === 'linux' ? '-glibc' : ''}@2`,
    bin: 'deno/deno',
    // A node_modules project, installed by pnpm: Deno reads it as it is.
    run: ['run', '-A', '--node-modules-dir=manual'],
  },
};

/** Installs the runtimes of `names` that `.runtimes/` lacks; returns each one's binary and version. */
function installRuntimes(names) {
  const missing = names.filter((name) => !existsSync(join(RUNTIMES_DIR, 'node_modules', RUNTIMES[name].bin)));
  if (missing.length > 0) {
    mkdirSync(RUNTIMES_DIR, { recursive: true });
    // On stderr, as npm's own output: stdout is --install-only's answer.
    console.error(`installing ${missing.join(', ')} into .runtimes/ from the npm registry`);
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        RUNTIMES_DIR,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...missing.map((name) => RUNTIMES[name].spec),
      ],
      { stdio: ['ignore', 2, 2] },
    );
    if (npm.status !== 0) throw new Error(`npm install --prefix .runtimes failed (exit ${npm.status})`);
  }
  return Object.fromEntries(
    names.map((name) => {
      const bin = join(RUNTIMES_DIR, 'node_modules', RUNTIMES[name].bin);
      const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
      return [name, { ...RUNTIMES[name], bin, version: version.replace(/^deno /, '').replace(/ \(.*$/, '') }];
    }),
  );
}

/**
 * What the matrix runs: one vitest run per entry (a folder and its test files).
 * `cells` turns each test's titles into the name of its row in the table.
 */
function plannedRuns() {
  const runs = [];
  for (const name of [...readBackends(root).map((entry) => entry.name), 'bullmq']) {
    const dir = join('packages', name);
    const files = readdirSync(join(root, dir, 'test'))
      .filter((file) => /^(adapter|conformance(-[\w-]+)?)\.test\.ts$/.test(file))
      .sort();
    runs.push({
      target: name,
      dir,
      files: files.map((file) => `test/${file}`),
      // The variant: the file's suffix (conformance-process) or an outer describe (tinypool's runtime: 'child_process').
      cell: (file, titles) => {
        const suffix = /^conformance-([\w-]+)\.test\.ts$/.exec(file)?.[1];
        const at = titles.findIndex((title) => title.endsWith(': Pool contract'));
        // adapter.test.ts (describeAdapter) also checks the exports, packed transfer and the library's
        // options: those count in the adapter's own cell, so that no failing test goes unreported.
        if (at < 0) {
          if (file !== 'adapter.test.ts') return undefined;
          // A variant's checks sit in a describe named by the variant's label, as its contract does.
          const [outer] = titles;
          return outer && titles.length > 1 && !outer.startsWith(`${name}:`) ? `${name} (${outer})` : name;
        }
        const outer = at > 0 ? titles.slice(0, at).join(' ') : undefined;
        const variant = [suffix, outer].filter(Boolean).join(', ');
        return variant ? `${name} (${variant})` : name;
      },
    });
  }
  runs.push({
    target: 'examples',
    dir: 'apps/examples',
    files: ['test/examples.test.ts'],
    // Per backend; 'the pnpm scripts' run the sources through Node's tsx, as `pnpm square` does: not a
    // runtime's contract (the full suite runs them on the primary Node), so not a cell here.
    cell: (_file, titles) => {
      const backend = /^examples on (.+)$/.exec(titles[0] ?? '')?.[1];
      return backend === undefined ? undefined : `examples: ${backend}`;
    },
  });
  runs.push({
    target: 'quickstart',
    dir: 'apps/examples',
    files: ['test/quickstart.test.ts'],
    cell: () => 'Quick start',
  });
  runs.push({
    target: 'typescript',
    dir: 'packages/core',
    files: ['test/typescript-modules.test.ts'],
    cell: () => 'TypeScript task modules',
  });
  return runs;
}

/** Runs vitest on `files` of `dir` inside `runtime`; resolves with vitest's JSON report (or undefined) and whether it hung. */
function runVitest(runtime, dir, files, reportFile) {
  const vitest = join(root, dir, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [...runtime.run, vitest, 'run', ...files, '--reporter=json', `--outputFile=${reportFile}`];
  const log = `${reportFile}.log`;
  return new Promise((resolveRun) => {
    const out = [];
    const child = spawn(runtime.bin, args, {
      cwd: join(root, dir),
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => out.push(chunk));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, RUN_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      writeFileSync(log, Buffer.concat(out));
      const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
      resolveRun({ report, hung, code, signal, log });
    });
  });
}

/** The first line of a failure, without colours, paths of this machine, or vitest's diff. */
function firstLine(message) {
  const line =
    String(message ?? '')
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[\\d;]*m`, 'g'), '')
      .split('\n')
      .find((text) => text.trim() !== '') ?? '';
  return line.replaceAll(root, '…').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** The cells of one run: `{ cell: { passed, total, failures: [{ test, reason }] } }`. */
function cellsOf(run, outcome) {
  const cells = {};
  const { report } = outcome;
  for (const file of report?.testResults ?? []) {
    const fileName = file.name.split('/').pop();
    for (const test of file.assertionResults ?? []) {
      const cell = run.cell(fileName, test.ancestorTitles ?? []);
      if (cell === undefined) continue;
      cells[cell] ??= { passed: 0, total: 0, failures: [] };
      cells[cell].total += 1;
      if (test.status === 'passed') cells[cell].passed += 1;
      // A backend that refuses this runtime: its suite is that one test (see @parapool/conformance).
      const refusal = /^refuses this runtime at createPool: (.+)$/.exec(test.title);
      if (refusal && test.status === 'passed') cells[cell].refusal = refusal[1];
      else if (test.status === 'failed')
        cells[cell].failures.push({ test: test.fullName ?? test.title, reason: firstLine(test.failureMessages?.[0]) });
    }
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
      const cell = run.cell(fileName, []) ?? run.target;
      cells[cell] ??= { passed: 0, total: 0, failures: [] };
      cells[cell].failures.push({ test: fileName, reason: firstLine(file.message) });
    }
  }
  if (Object.keys(cells).length === 0 || outcome.hung) {
    const reason = outcome.hung
      ? `the run did not end within ${RUN_LIMIT_MS / 60_000} minutes`
      : `vitest ended (${outcome.signal ?? `exit ${outcome.code}`}) without a report`;
    const names = Object.keys(cells).length > 0 ? Object.keys(cells) : [run.cell(run.files[0] ?? '', []) ?? run.target];
    for (const name of names) {
      cells[name] ??= { passed: 0, total: 0, failures: [] };
      cells[name].failures.push({ test: run.files.join(', '), reason });
    }
  }
  return cells;
}

/** A cell's verdict: a refusal is a suite whose only test is the backend's refusal of this runtime, passing. */
function verdict(cell) {
  if (cell.failures.length > 0) {
    const [first] = cell.failures;
    return {
      status: 'fail',
      passed: cell.passed,
      total: cell.total,
      reason: `${cell.failures.length} of ${cell.total} failed; first: ${first.test}: ${first.reason}`,
      failures: cell.failures,
    };
  }
  if (cell.refusal) return { status: 'refused', reason: cell.refusal, passed: cell.passed, total: cell.total };
  return { status: 'pass', passed: cell.passed, total: cell.total };
}

/**
 * Writes the cells run so far into `out`, keeping the cells of the last run
 * that this one has not reached (or does not run): a run cut short keeps what it learnt.
 */
function save(out, names, runtimes, order, results) {
  // A run of some runtimes or targets updates their cells and keeps the others of the last run.
  const earlier = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { runtimes: {}, cells: {} };
  const cells = { ...earlier.cells };
  for (const cell of order) cells[cell] = { ...cells[cell], ...results[cell] };
  const allRuntimes = { ...earlier.runtimes };
  for (const name of names) allRuntimes[name] = { label: runtimes[name].label, version: runtimes[name].version };
  const data = {
    about:
      'The runtime × backend matrix as last run by `pnpm test:runtimes` (scripts/runtimes.mjs); scripts/runtimes-table.mjs writes the README table from it.',
    runtimes: Object.fromEntries(
      Object.keys(RUNTIMES)
        .filter((name) => allRuntimes[name])
        .map((name) => [name, allRuntimes[name]]),
    ),
    cells,
  };
  writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      runtimes: { type: 'string', default: Object.keys(RUNTIMES).join(',') },
      targets: { type: 'string' },
      out: { type: 'string', default: join(root, 'runtimes.json') },
      'install-only': { type: 'boolean', default: false },
    },
  });
  const names = values.runtimes.split(',').filter(Boolean);
  for (const name of names) {
    if (!RUNTIMES[name]) throw new Error(`unknown runtime ${name}: one of ${Object.keys(RUNTIMES).join(', ')}`);
  }
  const runtimes = installRuntimes(names);
  if (values['install-only']) {
    // For the other places that need a runtime (the bench's --runtime, bullmq's version test): name → binary.
    console.log(JSON.stringify(Object.fromEntries(names.map((name) => [name, runtimes[name].bin]))));
    return;
  }
  const wanted = values.targets?.split(',');
  const runs = plannedRuns().filter((run) => !wanted || wanted.includes(run.target));
  const work = join(RUNTIMES_DIR, 'reports');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const started = Date.now();
  const results = {};
  const order = [];
  for (const name of names) {
    const runtime = runtimes[name];
    for (const run of runs) {
      const begun = Date.now();
      const reportFile = join(work, `${name}-${run.target}.json`);
      const outcome = await runVitest(runtime, run.dir, run.files, reportFile);
      const cells = cellsOf(run, outcome);
      const seconds = Math.round((Date.now() - begun) / 1000);
      for (const [cell, counts] of Object.entries(cells)) {
        if (!order.includes(cell)) order.push(cell);
        results[cell] ??= {};
        results[cell][name] = verdict(counts);
        const { status, passed, total } = results[cell][name];
        console.log(`${runtime.label.padEnd(8)} ${cell.padEnd(34)} ${status} (${passed}/${total}) [${seconds} s]`);
        if (status === 'fail') console.log(`         ${results[cell][name].reason}\n         log: ${outcome.log}`);
      }
      save(values.out, [name], runtimes, Object.keys(cells), results);
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);

  const failed = order.flatMap((cell) => names.filter((name) => results[cell][name]?.status === 'fail'));
  console.log(`\n${order.length} targets × ${names.length} runtimes in ${minutes} min: ${failed.length} failed cells`);
  console.log(`wrote ${values.out.replace(`${root}/`, '')}; \`node scripts/runtimes-table.mjs\` puts it in the README`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
