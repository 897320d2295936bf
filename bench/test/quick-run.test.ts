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
    const args = [cli, '--quick', '--processes', '2', '--out', out, '--progress', 'none'];
    if (hasPython) args.push('--python');
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * 2 ** 20, timeout: 110_000 }));
      exitCode = 0;
    } catch (error) {
      const failure = error as { code?: number; stdout?: string };
      exitCode = failure.code ?? -1;
      stdout = failure.stdout ?? '';
    }
    results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchResults;
  }, 120_000);

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
    expect(available.map((s) => s.name)).toEqual(expect.arrayContaining(['inline']));
    for (const workload of results.workloads) {
      for (const subject of available) {
        const rows = workload.measurements.filter((m) => m.subject === subject.name);
        expect(rows.length, `${workload.name} on ${subject.name}`).toBeGreaterThan(0);
        for (const m of rows) {
          expect(m.status, `${workload.name} · ${subject.name} · ${m.method}`).toBe('ok');
          expect(m.timesMs.length).toBe(1);
          expect(m.medianMs).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });

  it('runs every pool method of the howmany seeds on every backend', () => {
    const howmany = results.workloads.find((w) => w.name === 'howmany');
    const methods = [
      'apply in a loop (sample)',
      'applyAsync + callback, sort',
      'applyAsync + get()',
      'map',
      'starmap',
      'mapAsync',
      'starmapAsync',
      'imap (chunksize 1000)',
      'imapUnordered (chunksize 1000)',
      "imap (chunksize 'auto')",
      'imap (chunksize 1, sample)',
      "imap (chunksize 'auto', sample)",
    ];
    for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available)) {
      const run = howmany?.measurements.filter((m) => m.subject === subject.name).map((m) => m.method);
      expect(run).toEqual(expect.arrayContaining(methods));
    }
  });

  it('reports worker utilization per parapool backend from pool.insights()', () => {
    const howmany = results.workloads.find((w) => w.name === 'howmany');
    for (const subject of results.subjects.filter((s) => s.kind === 'parapool' && s.available)) {
      const insights = howmany?.insights?.[subject.name];
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
      expect(crossover?.crossoverUs).toHaveProperty([subject.name]);
    }
  });

  it('records the machine, the options and the targets in latest.json', () => {
    expect(results.machine.availableParallelism).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.options).toMatchObject({ processes: 2, quick: true, repeat: 1 });
    expect(results.targets.length).toBeGreaterThan(0);
    expect(Date.parse(results.date)).not.toBeNaN();
  });

  it('writes a self-contained report.html with the charts inline', async () => {
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // headline + one per workload + the crossover line chart
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(results.workloads.length + 1);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    for (const workload of results.workloads) expect(html).toContain(`<section id="${workload.name}">`);
  });

  it('writes the headline chart for the README', async () => {
    const svg = await readFile(join(out, 'headline.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect((await stat(join(out, 'headline.svg'))).size).toBeGreaterThan(1000);
  });

  it('prints a table per workload and the targets', () => {
    for (const workload of results.workloads) expect(stdout).toContain(workload.title);
    expect(stdout).toContain('targets (issue 6)');
  });

  it.skipIf(!hasPython)('runs CPython multiprocessing.Pool on every workload when python3 is present', () => {
    for (const workload of results.workloads) {
      const rows = workload.measurements.filter((m) => m.kind === 'python');
      expect(rows.length, workload.name).toBeGreaterThan(0);
      for (const m of rows) expect(m.status, `${workload.name} · ${m.subject} · ${m.method}`).toBe('ok');
    }
  });
});
