/**
 * Runs the selected workloads on every column: the sequential reference, the
 * limit (hand-written bare workers), the parapool backends, the raw libraries
 * and (optionally) CPython. Runs are interleaved (round after round over all
 * columns) so that a noisy moment on a shared machine spreads over every
 * column instead of hitting one; a case runs again in later rounds only while
 * the interval of its median is wider than the precision asked for.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createPool as createInlinePool, type Pool } from '@parapool/core';
import pTimeout, { TimeoutError } from 'p-timeout';
import { isBackendName, type LoadedBackend, loadBackend } from './backends.js';
import { describeError } from './errors.js';
import type { BenchOptions } from './options.js';
import { type ProgressReporter, progressReporter } from './progress.js';
import { runPython } from './python.js';
import { type KnownRawLibrary as RawLibrary, rawLibraries } from './raw-libraries.js';
import type { Measurement, SubjectInfo, WorkloadInsight, WorkloadResult } from './results.js';
import { fullSizes, quickSizes, type Sizes } from './sizes.js';
import { crossoverGrains, medianInterval, relativeHalfWidth, summarize } from './stats.js';
import { workloadTable } from './table.js';
import { tasks } from './tasks.js';
import type { Case, Prepared, Workload } from './workload.js';
import { workloads } from './workloads/index.js';

/** A column while a workload runs. */
interface Column {
  readonly info: SubjectInfo;
  readonly cases: readonly Case[];
  readonly measurements: Measurement[];
  /** Set when the column gave up (a run timed out): its pool is gone. */
  broken?: boolean;
  /** Filled by stop() for parapool columns. */
  insights?: WorkloadInsight;
  stop(): Promise<void>;
}

/** What a run produced, before the report is written. */
export interface RunOutcome {
  readonly subjects: SubjectInfo[];
  readonly workloads: WorkloadResult[];
  readonly sizes: Sizes;
}

const within = <T>(promise: Promise<T>, seconds: number, what: string) =>
  pTimeout(promise, {
    milliseconds: seconds * 1000,
    message: `${what} took more than ${seconds} s (raise --timeout if the machine is slow)`,
  });

/**
 * The runtime's garbage collection: Bun's own, or V8's exposed at run time. Not
 * by `--expose-gc` on the command line: workers inherit the command line's
 * flags, and Node refuses that one in a worker's execArgv.
 */
const gc = ((): ((force: boolean) => void) | undefined => {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return (force) => bun.gc(force);
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** Heap growth since the last collection (bytes) from which the next run starts with a fresh heap. */
const COLLECT_AFTER_BYTES = 64 * 1024 * 1024;
/** The heap in use after the last collection. */
let heapAfterCollection = 0;

/**
 * Collects garbage before a run once the heap has grown by COLLECT_AFTER_BYTES since the last
 * collection (a run would otherwise pay for what earlier runs left), then waits for V8's
 * concurrent sweeping: it would otherwise take CPU from the next run (from a parallel run's
 * workers far more than from a sequential loop). Not before every run: most runs leave little,
 * and a full collection with its wait cost the full run about a fifth of its time.
 */
async function collectGarbage(): Promise<void> {
  if (!gc) return;
  if (process.memoryUsage().heapUsed - heapAfterCollection < COLLECT_AFTER_BYTES) return;
  gc(true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  heapAfterCollection = process.memoryUsage().heapUsed;
}

/** The sequential and limit columns: always there. */
const SEQUENTIAL: SubjectInfo = { id: 'sequential', label: 'sequential', kind: 'sequential', available: true };
const LIMIT: SubjectInfo = { id: 'limit', label: 'limit (bare worker_threads)', kind: 'limit', available: true };

/** Stops a parapool pool gracefully, or terminates it if that hangs. */
async function stopPool(pool: Pool): Promise<void> {
  try {
    pool.close();
    await within(pool.join(), 30, 'close() + join()');
  } catch {
    await pool.terminate().catch(() => {});
  }
}

function insightsOf(pool: Pool): WorkloadInsight {
  const insights = pool.insights();
  let busy = 0;
  let total = 0;
  for (const worker of insights.workers) {
    busy += worker.busyMs;
    total += worker.busyMs + worker.idleMs;
  }
  return {
    utilization: total > 0 ? busy / total : 0,
    transferMedianMs: insights.transfer.medianMs,
    workMedianMs: insights.work.medianMs,
  };
}

function rawInfo(library: RawLibrary): SubjectInfo {
  const { id, label, separateProcesses, backend } = library;
  return { id, label, kind: 'raw', available: true, separateProcesses, backend };
}

function parapoolColumn(backend: LoadedBackend, workload: Workload, prepared: Prepared, processes: number): Column {
  const create = () => (backend.createPool as NonNullable<LoadedBackend['createPool']>)({ processes });
  const pool = workload.sharedPool ? create() : undefined;
  const separateProcesses = backend.separateProcesses ?? pool?.capabilities.separateProcesses ?? false;
  const column: Column = {
    info: backend,
    cases: prepared.forPool({ id: backend.id, processes, separateProcesses, pool, create }),
    measurements: [],
    stop: async () => {
      if (!pool) return;
      column.insights = insightsOf(pool);
      await stopPool(pool);
    },
  };
  return column;
}

async function rawColumn(library: RawLibrary, workload: Workload, prepared: Prepared, processes: number) {
  const create = () => library.create(processes);
  const pool = workload.sharedPool ? await create() : undefined;
  const { id, separateProcesses } = library;
  return {
    info: rawInfo(library),
    cases: prepared.forRaw({ id, processes, separateProcesses, pool, create }),
    measurements: [],
    stop: () => (pool ? within(pool.destroy(), 30, 'destroy()').catch(() => {}) : Promise.resolve()),
  } satisfies Column;
}

/** A measurement that failed as a whole (its column could not start, its inputs could not be made). */
function failed(workload: Workload, info: SubjectInfo, label: string, error: unknown): Measurement {
  const { error: message, causes } = describeError(error);
  return {
    workload: workload.name,
    subject: info.id,
    kind: info.kind,
    method: 'all',
    label,
    items: 0,
    status: 'error',
    error: message,
    ...(causes.length > 0 ? { causes } : {}),
    timesMs: [],
  };
}

/** Runs one case once and records the outcome in `m` (a failure ends the case). */
async function runOnce(column: Column, c: Case, m: Measurement, timed: boolean, timeoutS: number): Promise<void> {
  try {
    const outcome = await within(c.run(), timeoutS, `${column.info.label} · ${c.label}`);
    const problem = c.verify(outcome.value);
    if (problem !== undefined) {
      m.status = 'wrong';
      m.error = `wrong answer: ${problem}`;
    } else if (timed) {
      m.timesMs.push(outcome.ms);
      if (outcome.callsMs) m.callsMs = [...(m.callsMs ?? []), ...outcome.callsMs];
    }
  } catch (error) {
    const described = describeError(error);
    m.status = 'error';
    m.error = described.error;
    if (described.causes.length > 0) m.causes = described.causes;
    // Its pool may be stuck: stop it now, skip its other cases.
    if (error instanceof TimeoutError) column.broken = true;
  }
}

/** Whether a case needs another timed run: too few runs yet, or an interval still wider than asked. */
function wantsMore(m: Measurement, options: BenchOptions): boolean {
  const { minRuns, maxRuns, precision } = options.rounds;
  const n = m.timesMs.length;
  if (m.status !== 'ok' || n >= maxRuns) return false;
  if (n < minRuns) return true;
  const sorted = [...m.timesMs].sort((a, b) => a - b);
  return relativeHalfWidth(medianInterval(sorted), sorted[n >> 1] as number) > precision;
}

/** What every workload of the run shares. */
interface RunContext {
  readonly options: BenchOptions;
  readonly sizes: Sizes;
  readonly backends: readonly LoadedBackend[];
  readonly raws: readonly RawLibrary[];
  readonly python: string | undefined;
  readonly progress: ProgressReporter;
  readonly subjects: SubjectInfo[];
}

async function buildColumns(workload: Workload, prepared: Prepared, context: RunContext, result: WorkloadResult) {
  const { processes } = context.options;
  const columns: Column[] = [];
  if (prepared.sequential.length > 0) {
    columns.push({ info: SEQUENTIAL, cases: prepared.sequential, measurements: [], stop: async () => {} });
  }
  const add = async (info: SubjectInfo, label: string, make: () => Column | Promise<Column>) => {
    try {
      columns.push(await make());
    } catch (error) {
      result.measurements.push(failed(workload, info, label, error));
    }
  };
  if (prepared.forLimit) {
    const forLimit = prepared.forLimit;
    await add(LIMIT, 'start the bare workers', async () => ({
      info: LIMIT,
      measurements: [],
      ...(await forLimit(processes)),
    }));
  }
  // Each raw library right after its backend: the two are compared.
  const raws = [...context.raws].sort(
    (a, b) =>
      context.backends.findIndex((x) => x.id === a.backend) - context.backends.findIndex((x) => x.id === b.backend),
  );
  for (const backend of context.backends) {
    await add(backend, 'create the pool', () => parapoolColumn(backend, workload, prepared, processes));
    for (const raw of raws.filter((r) => r.backend === backend.id)) {
      await add(rawInfo(raw), 'create the pool', () => rawColumn(raw, workload, prepared, processes));
    }
  }
  for (const raw of raws.filter((r) => !context.backends.some((b) => b.id === r.backend))) {
    await add(rawInfo(raw), 'create the pool', () => rawColumn(raw, workload, prepared, processes));
  }
  return columns;
}

async function runWorkload(workload: Workload, prepared: Prepared, context: RunContext): Promise<WorkloadResult> {
  const { options, progress, subjects, sizes } = context;
  const { name, title, description } = workload;
  const result: WorkloadResult = { name, title, description, measurements: [] };
  const columns = await buildColumns(workload, prepared, context, result);
  try {
    for (const column of columns) {
      if (!subjects.some((s) => s.id === column.info.id)) subjects.push(column.info);
      for (const c of column.cases) {
        const { run: _run, verify: _verify, baseline, ...row } = c;
        column.measurements.push({
          ...row,
          workload: name,
          subject: column.info.id,
          kind: column.info.kind,
          ...(column.info.kind === 'sequential' ? {} : { baseline: baseline ?? prepared.sequential[0]?.method }),
          status: 'ok',
          timesMs: [],
        });
      }
    }
    const { warmup, minRuns, maxRuns, budget } = options.rounds;
    const started = performance.now();
    let planned = 0;
    for (let round = 0; round < warmup + maxRuns; round++) {
      const timed = round >= warmup;
      if (round === warmup + minRuns) planned = performance.now() - started;
      // Past the minimum: extra rounds while the workload keeps within its budget.
      if (round > warmup + minRuns && performance.now() - started > planned * budget) break;
      const todo = columns.flatMap((column) =>
        column.broken
          ? []
          : column.cases.flatMap((c, i) => {
              const m = column.measurements[i] as Measurement;
              return m.status === 'ok' && (!timed || wantsMore(m, options)) ? [{ column, c, m }] : [];
            }),
      );
      if (todo.length === 0) break;
      if (round >= warmup + minRuns) progress.add(todo.length);
      for (const { column, c, m } of todo) {
        if (column.broken) continue;
        progress.running(title, `${column.info.label} · ${c.label}`);
        if (!options.quick) await collectGarbage();
        await runOnce(column, c, m, timed, options.timeoutS);
        progress.tick();
        if (column.broken) await column.stop().catch(() => {});
      }
    }
    await Promise.all(columns.map((column) => (column.broken ? undefined : column.stop())));
    for (const column of columns) {
      result.measurements.push(...column.measurements);
      if (column.insights) result.insights = { ...result.insights, [column.info.id]: column.insights };
    }
    columns.length = 0;
    if (context.python && prepared.python) {
      // Before close(): the io-bound server must still be up.
      progress.running(title, 'CPython multiprocessing.Pool');
      result.measurements.push(...(await runPython(workload.name, prepared.python, options, sizes)));
    }
  } finally {
    await Promise.all(columns.map((column) => (column.broken ? undefined : column.stop().catch(() => {}))));
  }
  summarize(result, subjects, { processes: options.processes, cores: availableParallelism() });
  if (workload.name === 'crossover') result.crossoverUs = crossoverGrains(result, sizes.crossoverGrainsUs);
  return result;
}

/**
 * Loads a backend and reads its capabilities from a pool that runs nothing (a
 * core backend then starts no worker). A backend whose pool cannot be made that
 * way is still run: its capabilities are then read from its first shared pool.
 */
async function load(name: string, print: (text: string) => void): Promise<LoadedBackend> {
  const backend = await loadBackend(name);
  if (!backend.createPool) {
    print(`${name}: not available: ${backend.reason}`);
    return backend;
  }
  try {
    const probe = backend.createPool({ processes: 1 });
    const { inProcess, separateProcesses } = probe.capabilities;
    await within(probe.terminate(), 10, `${name}: terminate() of a pool that ran nothing`).catch(() => {});
    return { ...backend, inProcess, separateProcesses };
  } catch {
    return backend;
  }
}

/**
 * The chunksize parapool's map uses for `items` items on `processes` workers,
 * read from the core itself (an inline map's first progress report): the limit
 * and the raw libraries are handed the same chunks.
 */
export async function mapChunksize(items: number, processes: number): Promise<number> {
  const pool = createInlinePool({ processes });
  let size = 0;
  let done = 0;
  await pool.map(tasks.square, new Array<number>(items).fill(0), {
    onProgress: (p) => {
      size = Math.max(size, p.done - done);
      done = p.done;
    },
  });
  await pool.terminate();
  return size;
}

/** Runs the bench; prints a table per workload to `print`. */
export async function runBench(
  options: BenchOptions,
  python: string | undefined,
  print: (text: string) => void,
): Promise<RunOutcome> {
  const sizes = options.quick ? quickSizes : fullSizes;
  const subjects: SubjectInfo[] = [SEQUENTIAL, LIMIT];
  const backends: LoadedBackend[] = [];
  for (const name of options.backends.filter(isBackendName)) {
    const loaded = await load(name, print);
    if (loaded.createPool) backends.push(loaded);
    else subjects.push(loaded);
  }
  const raws = rawLibraries.filter((r) => options.backends.includes(r.id));
  if (options.python && !python) {
    const reason = 'python3 was not found on PATH';
    subjects.push({ id: 'python', label: 'CPython Pool', kind: 'python', available: false, reason });
    print(`python: not available: ${reason}`);
  }
  const progress = progressReporter(options.progress);
  const context: RunContext = { options, sizes, backends, raws, python, progress, subjects };
  const scratch = await mkdtemp(join(tmpdir(), 'parapool-bench-'));
  const selected = workloads.filter((w) => options.workloads.includes(w.name));
  const prepared: { workload: Workload; prepared?: Prepared; error?: unknown }[] = [];
  const results: WorkloadResult[] = [];
  const { processes, seed } = options;
  try {
    // Every workload is prepared first, so the progress knows the runs of the whole bench.
    for (const workload of selected) {
      try {
        const chunksize = (items: number) => mapChunksize(items, processes);
        const context = { sizes, processes, seed, scratch, python: !!python, chunksizeOf: chunksize };
        prepared.push({ workload, prepared: await workload.prepare(context) });
      } catch (error) {
        prepared.push({ workload, error });
      }
    }
    const { warmup, minRuns } = options.rounds;
    progress.start(
      prepared.reduce((runs, { prepared: p }) => runs + (p ? casesOf(p, context) * (warmup + minRuns) : 0), 0),
    );
    for (const entry of prepared) {
      const { workload } = entry;
      let result: WorkloadResult;
      if (entry.prepared) {
        result = await runWorkload(workload, entry.prepared, context);
        await entry.prepared.close?.().catch(() => {});
        entry.prepared = undefined;
      } else {
        const { name, title, description } = workload;
        const failure = failed(workload, SEQUENTIAL, 'prepare the inputs', entry.error);
        result = { name, title, description, measurements: [failure] };
      }
      results.push(result);
      print(workloadTable(result, subjects));
    }
  } finally {
    progress.finish();
    for (const entry of prepared) await entry.prepared?.close?.().catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
  if (python) {
    for (const [id, label] of [
      ['python-sequential', 'CPython sequential'],
      ['python', 'CPython Pool'],
    ] as const) {
      if (!subjects.some((s) => s.id === id)) subjects.push({ id, label, kind: 'python', available: true });
    }
  }
  return { subjects, workloads: results, sizes };
}

/** How many cases a prepared workload runs per round (building cases starts nothing). */
function casesOf(prepared: Prepared, { options, backends, raws }: RunContext): number {
  const subject = (id: string, separateProcesses = false) => ({
    id,
    processes: options.processes,
    separateProcesses,
    pool: undefined,
    create: () => Promise.reject(new Error('not started')) as never,
  });
  return (
    prepared.sequential.length +
    (prepared.limitCases ?? 0) +
    backends.reduce((n, b) => n + prepared.forPool(subject(b.id, b.separateProcesses)).length, 0) +
    raws.reduce((n, r) => n + prepared.forRaw({ ...subject(r.id, r.separateProcesses), id: r.id }).length, 0)
  );
}
