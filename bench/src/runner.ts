/**
 * Runs the selected workloads on every subject: the sequential reference, the
 * parapool backends, the raw libraries and (optionally) CPython. Runs are
 * interleaved (round after round over all subjects) so that a noisy moment on a
 * shared machine spreads over every column instead of hitting one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from '@parapool/core';
import { type CreatePool, loadBackend } from './backends.js';
import type { BenchOptions } from './options.js';
import { type ProgressReporter, progressReporter } from './progress.js';
import { runPython } from './python.js';
import { type RawLibrary, type RawPool, rawLibraries } from './raw-libraries.js';
import type { Measurement, SubjectInfo, WorkloadResult } from './results.js';
import { fullSizes, quickSizes, type Sizes } from './sizes.js';
import { crossoverGrains, summarize } from './stats.js';
import { workloadTable } from './table.js';
import type { Case, Prepared, Timed, Workload } from './workload.js';
import { grainLabel } from './workloads/crossover.js';
import { workloads } from './workloads/index.js';

/** A column while a workload runs. */
interface Column {
  readonly info: SubjectInfo;
  readonly cases: readonly Case[];
  readonly measurements: Measurement[];
  /** Set when the column gave up (a run timed out): its pool is gone. */
  broken?: string;
  stop(): Promise<void>;
}

/** What a run produced, before the report is written. */
export interface RunOutcome {
  readonly subjects: SubjectInfo[];
  readonly workloads: WorkloadResult[];
  readonly sizes: Sizes;
  readonly python: string | undefined;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

function withTimeout<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`${what} took more than ${seconds} s (raise --timeout if the machine is slow)`)),
      seconds * 1000,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Stops a parapool pool gracefully, or terminates it if that hangs. */
async function stopPool(pool: Pool): Promise<void> {
  try {
    pool.close();
    await withTimeout(pool.join(), 30, 'close() + join()');
  } catch {
    await pool.terminate().catch(() => {});
  }
}

async function parapoolColumn(
  name: string,
  createPool: CreatePool,
  workload: Workload,
  prepared: Prepared,
  processes: number,
): Promise<Column> {
  const create = () => createPool({ processes });
  const pool = workload.sharedPool ? create() : undefined;
  const info: SubjectInfo & { insights?: NonNullable<WorkloadResult['insights']>[string] } = {
    name,
    kind: 'parapool',
    available: true,
    inProcess: (pool ?? undefined)?.capabilities.inProcess ?? name === 'inline',
  };
  return {
    info,
    cases: prepared.forPool({ name, processes, pool, create }),
    measurements: [],
    stop: () => {
      if (!pool) return Promise.resolve();
      const insights = pool.insights();
      let busy = 0;
      let total = 0;
      for (const worker of insights.workers) {
        busy += worker.busyMs;
        total += worker.busyMs + worker.idleMs;
      }
      info.insights = {
        utilization: total > 0 ? busy / total : 0,
        transferMedianMs: insights.transfer.medianMs,
        workMedianMs: insights.work.medianMs,
      };
      return stopPool(pool);
    },
  };
}

async function rawColumn(
  library: RawLibrary,
  workload: Workload,
  prepared: Prepared,
  processes: number,
): Promise<Column> {
  const create = () => library.create(processes);
  const pool: RawPool | undefined = workload.sharedPool ? await create() : undefined;
  return {
    info: { name: library.name, kind: 'raw', available: true },
    cases: prepared.forRaw({ name: library.name, processes, pool, create }),
    measurements: [],
    stop: () => (pool ? withTimeout(pool.destroy(), 30, 'destroy()').catch(() => {}) : Promise.resolve()),
  };
}

/** Runs one case once and records the outcome in `m`; returns false when the case should not run again. */
async function runOnce(column: Column, c: Case, m: Measurement, timed: boolean, timeoutS: number): Promise<boolean> {
  let outcome: Timed;
  try {
    outcome = await withTimeout(c.run(), timeoutS, `${column.info.name} · ${c.method}`);
  } catch (error) {
    m.status = 'error';
    m.error = message(error);
    if (error instanceof TimeoutError) column.broken = m.error;
    return false;
  }
  const problem = c.verify(outcome.value);
  if (problem !== undefined) {
    m.status = 'wrong';
    m.error = `wrong answer: ${problem}`;
    return false;
  }
  if (timed) m.timesMs.push(outcome.ms);
  return true;
}

async function runWorkload(
  workload: Workload,
  options: BenchOptions,
  sizes: Sizes,
  loaded: { name: string; createPool: CreatePool }[],
  raws: RawLibrary[],
  scratch: string,
  python: string | undefined,
  progress: ProgressReporter,
  subjects: SubjectInfo[],
): Promise<WorkloadResult> {
  const { processes } = options;
  const result: WorkloadResult = {
    name: workload.name,
    title: workload.title,
    description: workload.description,
    measurements: [],
  };
  const prepared = await workload.prepare({ sizes, processes, seed: options.seed, scratch, python: !!python });
  const columns: Column[] = [];
  try {
    if (prepared.sequential.length > 0) {
      columns.push({
        info: { name: 'sequential', kind: 'sequential', available: true },
        cases: prepared.sequential,
        measurements: [],
        stop: async () => {},
      });
    }
    for (const backend of loaded) {
      const raw = raws.find((r) => r.library === backend.name);
      for (const [make, name] of [
        [() => parapoolColumn(backend.name, backend.createPool, workload, prepared, processes), backend.name],
        ...(raw ? [[() => rawColumn(raw, workload, prepared, processes), raw.name] as const] : []),
      ] as const) {
        try {
          columns.push(await make());
        } catch (error) {
          result.measurements.push(failed(workload.name, name, 'create the pool', message(error)));
        }
      }
    }
    for (const raw of raws) {
      if (loaded.some((b) => b.name === raw.library)) continue;
      try {
        columns.push(await rawColumn(raw, workload, prepared, processes));
      } catch (error) {
        result.measurements.push(failed(workload.name, raw.name, 'create the pool', message(error)));
      }
    }
    for (const column of columns) {
      if (!subjects.some((s) => s.name === column.info.name)) subjects.push(column.info);
      for (const c of column.cases) {
        column.measurements.push({
          workload: workload.name,
          subject: column.info.name,
          kind: column.info.kind,
          method: c.method,
          items: c.items,
          baseline: c.baseline ?? prepared.sequential[0]?.method,
          status: 'ok',
          timesMs: [],
        });
      }
    }

    const columnsDone = [...columns];
    // Round 0 warms up (JIT, workers loading the task module); --quick skips it: it
    // proves that everything runs and verifies, its times are only indicative.
    const warmup = options.quick ? 0 : 1;
    const rounds = warmup + options.repeat;
    const total = rounds * columns.reduce((n, column) => n + column.cases.length, 0);
    progress.begin(workload.title, total);
    for (let round = 0; round < rounds; round++) {
      for (const column of columns) {
        for (let i = 0; i < column.cases.length; i++) {
          const c = column.cases[i] as Case;
          const m = column.measurements[i] as Measurement;
          if (column.broken || m.status !== 'ok') {
            progress.tick(`${column.info.name} · ${c.method} (skipped)`);
            continue;
          }
          progress.running(`${column.info.name} · ${c.method}`);
          gc?.();
          await runOnce(column, c, m, round >= warmup, options.timeoutS);
          progress.tick(`${column.info.name} · ${c.method}`);
          if (column.broken) {
            // Its pool may be stuck: stop it now, skip its other cases.
            await column.stop().catch(() => {});
          }
        }
      }
    }
    progress.end();
    await Promise.all(columns.map((column) => (column.broken ? undefined : column.stop())));
    columns.length = 0;
    for (const column of columnsDone) {
      result.measurements.push(...column.measurements);
      const insights = (column.info as { insights?: NonNullable<WorkloadResult['insights']>[string] }).insights;
      if (insights) {
        result.insights ??= {};
        result.insights[column.info.name] = insights;
      }
    }
    if (python && prepared.python) {
      // Before close(): the io-bound server must still be up.
      progress.begin(`${workload.title} (python)`, 1);
      result.measurements.push(...(await runPython(workload.name, prepared.python, options, sizes)));
      progress.tick('python');
      progress.end();
    }
  } finally {
    await Promise.all(columns.map((column) => (column.broken ? undefined : column.stop())));
    await prepared.close?.();
  }

  summarize(result, subjects, processes);
  if (workload.name === 'crossover') result.crossoverUs = crossoverGrains(result, sizes.crossoverGrainsUs, grainLabel);
  return result;
}

function failed(workload: string, subject: string, method: string, error: string): Measurement {
  return {
    workload,
    subject,
    kind: subject.endsWith('(raw)') ? 'raw' : 'parapool',
    method,
    items: 0,
    status: 'error',
    error,
    timesMs: [],
  };
}

/** Runs the bench; prints a table per workload to `print`. */
export async function runBench(
  options: BenchOptions,
  python: string | undefined,
  print: (text: string) => void,
): Promise<RunOutcome> {
  const sizes = options.quick ? quickSizes : fullSizes;
  const subjects: SubjectInfo[] = [];
  const loaded: { name: string; createPool: CreatePool }[] = [];
  for (const name of options.backends) {
    if (rawLibraries.some((r) => r.name === name)) continue;
    const backend = await loadBackend(name);
    if (backend.available) loaded.push(backend);
    else {
      subjects.push({ name, kind: 'parapool', available: false, reason: backend.reason });
      print(`${name}: not available: ${backend.reason}`);
    }
  }
  const raws = rawLibraries.filter((r) => options.backends.includes(r.name));
  if (options.python && !python) {
    subjects.push({ name: 'python', kind: 'python', available: false, reason: 'python3 was not found on PATH' });
    print('python: not available: python3 was not found on PATH');
  }
  const progress = progressReporter(options.progress);
  const scratch = await mkdtemp(join(tmpdir(), 'parapool-bench-'));
  const results: WorkloadResult[] = [];
  try {
    for (const workload of workloads.filter((w) => options.workloads.includes(w.name))) {
      const result = await runWorkload(workload, options, sizes, loaded, raws, scratch, python, progress, subjects);
      results.push(result);
      print(workloadTable(result));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (python) {
    for (const name of ['python sequential', 'python']) {
      if (!subjects.some((s) => s.name === name)) {
        subjects.push({ name, kind: 'python', available: true });
      }
    }
  }
  return { subjects, workloads: results, sizes, python };
}
