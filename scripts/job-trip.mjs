#!/usr/bin/env node
/**
 * The trip of one job, from `pool.map` in the caller to a worker and back: which of parapool's
 * source files run code for it, in the caller's thread and in the worker.
 *
 *   node scripts/job-trip.mjs [--adapter piscina] [--json]
 *
 * Measured, not read: V8's own coverage (NODE_V8_COVERAGE, the script restarts itself with it)
 * counts every function that runs. A warm pool first runs a few maps, so nothing of the start-up
 * is counted; then the counters are reset on both sides (`v8.takeCoverage()`, in the caller and,
 * through a task, in the worker), ONE map of one item runs, and both sides write what ran since.
 * The built files' source maps name the source file of each function (core's dist is bundled).
 * Run it after `pnpm build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    adapter: { type: 'string', default: 'piscina' },
    json: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  // The measured program: its own process, with NODE_V8_COVERAGE set.
  const v8 = await import('node:v8');
  const adapter = await import(pathToFileURL(join(root, 'packages', values.adapter, 'dist', 'index.js')).href);
  const pool = adapter.createPool({ processes: 1 });
  const square = (n) => n * n;
  const resetWorker = () => {
    globalThis.process.getBuiltinModule('node:v8').takeCoverage();
    return 0;
  };
  for (let round = 0; round < 5; round++) await pool.map(square, [1, 2, 3]);
  await pool.apply(resetWorker, []); // the worker's counters: from here
  v8.takeCoverage(); // the caller's counters: from here
  const result = await pool.map(square, [7]);
  v8.takeCoverage(); // the caller's side of the trip
  await pool.apply(resetWorker, []); // the worker's side of it
  if (result[0] !== 49) throw new Error(`map answered ${result}`);
  await pool.terminate();
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'parapool-trip-'));
const covDir = join(dir, 'coverage');
mkdirSync(covDir);
const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--adapter', values.adapter, '--child'], {
  env: { ...process.env, NODE_V8_COVERAGE: covDir },
  encoding: 'utf8',
});
if (run.status !== 0) {
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`the measured program failed (${run.status}): ${run.stderr}`);
}

// Coverage files: coverage-<pid>-<time>-<seq>.json, one per takeCoverage() and per thread at its end.
// The caller's second file and the worker's second file hold the trip.
const files = readdirSync(covDir)
  .filter((name) => name.startsWith('coverage-'))
  .map((name) => ({ name, data: JSON.parse(readFileSync(join(covDir, name), 'utf8')) }));
const parsed = files.map(({ name, data }) => {
  const [, pid, time, seq] = /coverage-(\d+)-(\d+)-(\d+)\.json/.exec(name) ?? [];
  return { pid, time: Number(time), seq: Number(seq), data };
});
// Each thread's files, in the order they were written: the caller's are [reset, trip, exit];
// the worker's [reset, trip, exit]. Threads of one process share a pid: tell them apart by which
// scripts they ran (the caller ran this script).
const self = pathToFileURL(fileURLToPath(import.meta.url)).href;
const callerFiles = parsed.filter((f) => f.data.result.some((s) => s.url === self)).sort((a, b) => a.seq - b.seq);
const workerFiles = parsed.filter((f) => !callerFiles.includes(f)).sort((a, b) => a.seq - b.seq);

const maps = new Map();
function sourceMapOf(url) {
  if (maps.has(url)) return maps.get(url);
  let map = null;
  try {
    const file = fileURLToPath(url);
    const text = readFileSync(file, 'utf8');
    const comment = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
    if (comment) {
      const mapFile = join(file, '..', comment[1]);
      map = { text, map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))), dir: join(mapFile, '..') };
    }
  } catch {
    map = null;
  }
  maps.set(url, map);
  return map;
}

function lineColumn(text, offset) {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start };
}

/** The parapool source files (and their functions) that ran in one coverage file. */
function tripOf(coverage) {
  const trip = new Map();
  for (const script of coverage.data.result) {
    if (!script.url.startsWith(pathToFileURL(root).href) || script.url.includes('/node_modules/')) continue;
    if (script.url === self) continue;
    const source = sourceMapOf(script.url);
    for (const fn of script.functions) {
      const whole = fn.ranges[0];
      if (!whole || whole.count === 0 || (fn.functionName === '' && whole.startOffset === 0)) continue;
      let file = fileURLToPath(script.url);
      if (source) {
        const { line, column } = lineColumn(source.text, whole.startOffset);
        const entry = source.map.findEntry(line, column);
        if (entry?.originalSource) {
          const original = entry.originalSource.startsWith('file:')
            ? fileURLToPath(entry.originalSource)
            : join(source.dir, entry.originalSource);
          file = original;
        }
      }
      const name = relative(root, file);
      if (!trip.has(name)) trip.set(name, new Set());
      trip.get(name).add(fn.functionName || '(anonymous)');
    }
  }
  return trip;
}

const caller = callerFiles[1] ? tripOf(callerFiles[1]) : new Map();
const worker = workerFiles[1] ? tripOf(workerFiles[1]) : new Map();
rmSync(dir, { recursive: true, force: true });

const all = new Set([...caller.keys(), ...worker.keys()]);
const count = (trip) => [...trip.values()].reduce((n, fns) => n + fns.size, 0);
if (values.json) {
  const plain = (trip) => Object.fromEntries([...trip].map(([file, fns]) => [file, [...fns].sort()]));
  console.log(JSON.stringify({ adapter: values.adapter, caller: plain(caller), worker: plain(worker) }, null, 2));
} else {
  console.log(`One job's trip on ${values.adapter} (one map of one item on a warm pool of one worker):`);
  console.log(`${all.size} source files, ${count(caller) + count(worker)} functions`);
  for (const [side, trip] of [
    ['caller', caller],
    ['worker', worker],
  ]) {
    console.log(`\n${side}: ${trip.size} files, ${count(trip)} functions`);
    for (const [file, fns] of [...trip].sort()) console.log(`  ${file} (${fns.size}): ${[...fns].sort().join(', ')}`);
  }
}
