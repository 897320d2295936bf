/**
 * `--quick` end to end: every workload runs and verifies on every available
 * backend, and the report files are written. Asserts outcomes, never times.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/results.js';
import { workloadNames } from '../src/workloads/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const hasPython = await promisify(execFile)('python3', ['--version']).then(
  () => true,
  () => false,
);

describe('pnpm bench --quick', () => {
  let out: string;
  let stdout = '';
  let exitCode: number | null = null;
  let results: BenchResults;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'parapool-bench-test-'));
    // One timed run a case (no warm-up): every workload, method and backend runs and is checked.
    const args = [cli, '--quick', '--max-runs', '1', '--processes', '2', '--out', out, '--progress', 'none'];
    if (hasPython) args.push('--python');
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 2 ** 20, timeout: 280_000 }));
      exitCode = 0;
    } catch (error) {
      const failure = error as { code?: number; stdout?: string };
      exitCode = failure.code ?? -1;
      stdout = failure.stdout ?? '';
    }
    results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchResults;
  }, 300_000);

  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('exits 0 because every answer matched the sequential one', () => {
    const bad = results.workloads.flatMap((w) =>
      w.measurements.filter((m) => m.status !== 'ok').map((m) => `${w.name} · ${m.subject} · ${m.method}: ${m.error}`),
    );
    expect(bad).toEqual([]);
    expect(results.ok).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('runs every workload', () => {
    expect(results.workloads.map((w) => w.name)).toEqual(workloadNames);
  });

  it('runs every workload on every available backend and raw library, each run timed and verified', () => {
    const available = results.subjects.filter((s) => s.available && (s.kind === 'parapool' || s.kind === 'raw'));
    expect(available.map((s) => s.id)).toEqual(
      expect.arrayContaining(['inline', 'piscina', 'piscina-raw', 'child-process', 'child-process-raw']),
    );
    for (const workload of results.workloads) {
      for (const subject of available) {
        const rows = workload.measurements.filter((m) => m.subject === subject.id);
        expect(rows.length, `${workload.name} on ${subject.id}`).toBeGreaterThan(0);
        for (const m of rows) {
          expect(m.status, `${workload.name} · ${subject.id} · ${m.method}`).toBe('ok');
          expect(m.timesMs.length).toBe(1);
          expect(m.medianMs).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('measures the limit column in the same run, verified, and every backend against it', () => {
    const bounded = [
      ['howmany', 'map'],
      ['howmany', 'starmap'],
      ['square', 'map'],
      ['apply-round-trip', 'round-trip'],
      ['cold-start', 'cold-start'],
    ] as const;
    for (const [workload, method] of bounded) {
      const rows = results.workloads.find((w) => w.name === workload)?.measurements ?? [];
      const limit = rows.find((m) => m.subject === 'limit' && m.method === method);
      expect(limit?.status, `limit · ${workload} · ${method}`).toBe('ok');
      for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available && !s.inProcess)) {
        const m = rows.find((x) => x.subject === subject.id && x.method === method);
        expect(m?.vsLimit, `${subject.id} · ${workload} · ${method} × limit`).toBeGreaterThan(0);
      }
    }
    const forks = results.workloads.flatMap((w) => w.measurements).filter((m) => m.subject === 'limit');
    expect(forks.map((m) => m.method)).toEqual(expect.arrayContaining(['round-trip-fork', 'cold-start-fork']));
  });

  it('times each single call of the round trip (percentiles per call)', () => {
    const rows = results.workloads.find((w) => w.name === 'apply-round-trip')?.measurements ?? [];
    for (const m of rows) {
      expect(m.calls?.calls, `${m.subject}`).toBe(m.items);
      expect(m.calls?.p99Us).toBeGreaterThanOrEqual(m.calls?.p50Us ?? 0);
    }
  });

  it('checks every target on every worker backend, and derives a recommendation per kind of work', () => {
    const workers = results.subjects.filter((s) => s.kind === 'parapool' && s.available && !s.inProcess);
    const ids = [...new Set(results.targets.map((t) => t.id))];
    expect(ids.length).toBe(8);
    expect(results.targets.length).toBe(ids.length * workers.length);
    for (const t of results.targets) if (t.met === true) expect(t.measured).toBeGreaterThan(0);
    for (const t of results.targets)
      if (t.met !== true) expect(t.note ?? t.value, `${t.id} · ${t.subject}`).not.toBe('');
    expect(results.recommendations.map((r) => r.work)).toEqual(['cpu-bound', 'tiny-items', 'io-bound', 'isolation']);
  });

  it('runs every pool method of the howmany tutorials on every backend', () => {
    const howmany = results.workloads.find((w) => w.name === 'howmany');
    const methods = [
      'apply-loop-sample',
      'map-chunksize-1-sample',
      'apply-async-callback',
      'apply-async-get',
      'map',
      'starmap',
      'map-async',
      'starmap-async',
      'imap',
      'imap-unordered',
      'imap-auto',
      'imap-1-sample',
      'imap-auto-sample',
    ];
    for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available)) {
      const run = howmany?.measurements.filter((m) => m.subject === subject.id).map((m) => m.method);
      expect(run).toEqual(expect.arrayContaining(methods));
    }
  });

  it('reports worker utilization per parapool backend from pool.insights()', () => {
    const howmany = results.workloads.find((w) => w.name === 'howmany');
    for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available)) {
      const insights = howmany?.insights?.[subject.id];
      expect(insights?.utilization).toBeGreaterThan(0);
      expect(insights?.utilization).toBeLessThanOrEqual(1);
    }
  });

  it('compares each run with the sequential reference (speedup and overhead per item)', () => {
    const square = results.workloads.find((w) => w.name === 'square');
    const map = square?.measurements.find((m) => m.subject === 'inline' && m.method === 'map');
    expect(map?.speedup).toBeGreaterThan(0);
    expect(typeof map?.overheadNsPerItem).toBe('number');
  });

  it('states the crossover grain of every backend', () => {
    const crossover = results.workloads.find((w) => w.name === 'crossover');
    for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available)) {
      expect(crossover?.crossoverUs).toHaveProperty([subject.id]);
    }
  });

  it('records the machine, the options and the targets in latest.json', () => {
    expect(results.machine.availableParallelism).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.options).toMatchObject({ processes: 2, quick: true, rounds: { warmup: 0, minRuns: 1, maxRuns: 1 } });
    expect(results.version).toBe(2);
    expect(Date.parse(results.date)).not.toBeNaN();
  });

  it('writes a self-contained report.html: the decision first, the charts inline, the targets at the end', async () => {
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // two headline charts + one per workload + the crossover line chart + howmany's runs on a sample
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(results.workloads.length + 4);
    expect(html.indexOf('Which backend for which work')).toBeLessThan(html.indexOf('<svg'));
    expect(html.indexOf('<h2>Which backend for which work</h2>')).toBe(html.indexOf('<h2'));
    expect(html.indexOf('<h2 id="targets">')).toBeGreaterThan(html.lastIndexOf('<section id='));
    expect(html).toContain('howmany-within-range (runs on a sample): median time');
    expect(html).not.toMatch(/issue 6|the seeds teach/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    for (const workload of results.workloads) expect(html).toContain(`<section id="${workload.name}">`);
  });

  it('writes the headline charts for the README, with their 1× lines and value labels', async () => {
    for (const [file, line] of [
      ['headline.svg', '1× = the sequential loop'],
      ['limit.svg', '1× = the limit'],
    ] as const) {
      const svg = await readFile(join(out, file), 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain(line);
      expect(svg).toMatch(/\d\.\d\d×/);
      expect((await stat(join(out, file))).size).toBeGreaterThan(1000);
    }
  });

  it('prints a table per workload, the targets and the recommendations', () => {
    for (const workload of results.workloads) expect(stdout).toContain(workload.title);
    expect(stdout).toContain('targets (worker backends; ratios within this run)');
    expect(stdout).toContain('which backend for which work');
    expect(stdout).toContain('× limit');
  });

  it.skipIf(!hasPython)('runs CPython multiprocessing.Pool on every workload when python3 is present', () => {
    for (const workload of results.workloads) {
      // No Python counterpart: apply-round-trip; shared-memory (multiprocessing.shared_memory is not measured yet).
      if (workload.name === 'apply-round-trip' || workload.name === 'shared-memory') continue;
      const rows = workload.measurements.filter((m) => m.kind === 'python');
      expect(rows.length, workload.name).toBeGreaterThan(0);
      for (const m of rows) expect(m.status, `${workload.name} · ${m.subject} · ${m.method}`).toBe('ok');
    }
  });
});
