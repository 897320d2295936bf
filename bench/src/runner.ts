/**
 * Runs the selected workloads on every column: the sequential reference, the
 * limit (hand-written bare workers), the parapool backends, the raw libraries
 * and (optionally) CPython. Runs are interleaved (round after round over all
 * columns) so that a noisy moment on a shared machine spreads over every
 * column instead of hitting one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from '@parapool/core';
import { type BackendName, type CreatePool, isBackendName, loadBackend } from './backends.js';
import { describeError } from './errors.js';
import type { BenchOptions } from './options.js';
import { type ProgressReporter, progressReporter } from './progress.js';
import { runPython } from './python.js';
import { type KnownRawLibrary as RawLibrary, type RawPool, rawLibraries } from './raw-libraries.js';
import type { Measurement, SubjectId, SubjectInfo, WorkloadInsight, WorkloadResult } from './results.js';
import { fullSizes, quickSizes, type Sizes } from './sizes.js';
import { crossoverGrains, summarize } from './stats.js';
import { workloadTable } from './table.js';
import type { Case, PoolSubject, Prepared, RawSubject, Timed, Workload } from './workload.js';
import { workloads } from './workloads/index.js';

/** A column while a workload runs. */
interface Column {
  readonly info: SubjectInfo;
  readonly cases: readonly Case[];
  readonly measurements: Measurement[];
  /** Set when the column gave up (a run timed out): its pool is gone. */
  broken?: string;
  /** Filled by stop() for parapool columns. */
  insights?: WorkloadInsight;
  stop(): Promise<void>;
}

/** A loaded parapool backend and what its pools can do. */
interface LoadedBackend {
  /** Its capabilities may be filled in when its first shared pool exists. */
  readonly info: SubjectInfo & { readonly id: BackendName };
  readonly createPool: CreatePool;
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

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * How long the runner waits after its forced collection before a timed run: V8
 * sweeps the collected heap on helper threads, which would otherwise take CPU
 * from the run (from the workers of a parallel one far more than from a
 * sequential loop, so the bench would measure its own collection).
 */
const SWEEP_MS = 25;

/** Collects garbage (with --expose-gc), then lets the concurrent sweeping finish. */
async function collectGarbage(): Promise<void> {
  if (!gc) return;
  gc();
  await new Promise((resolve) => setTimeout(resolve, SWEEP_MS));
}

/** The sequential and limit columns: always there. */
const SEQUENTIAL: SubjectInfo = { id: 'sequential', label: 'sequential', kind: 'sequential', available: true };
const LIMIT: SubjectInfo = {
  id: 'limit',
  label: 'limit (bare worker_threads)',
  kind: 'limit',
  available: true,
};

/** Stops a parapool pool gracefully, or terminates it if that hangs. */
async function stopPool(pool: Pool): Promise<void> {
  try {
    pool.close();
    await withTimeout(pool.join(), 30, 'close() + join()');
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

function poolSubject(backend: LoadedBackend, processes: number, pool: Pool | undefined): PoolSubject {
  return {
    id: backend.info.id,
    processes,
    separateProcesses: backend.info.separateProcesses ?? false,
    pool,
    create: () => backend.createPool({ processes }),
  };
}

function rawSubject(library: RawLibrary, processes: number, pool: RawPool | undefined): RawSubject {
  return {
    id: library.id,
    processes,
    separateProcesses: library.separateProcesses,
    pool,
    create: () => library.create(processes),
  };
}

function rawInfo(library: RawLibrary): SubjectInfo {
  return {
    id: library.id,
    label: library.label,
    kind: 'raw',
    available: true,
    separateProcesses: library.separateProcesses,
    backend: library.backend,
  };
}

function parapoolColumn(backend: LoadedBackend, workload: Workload, prepared: Prepared, processes: number): Column {
  const pool = workload.sharedPool ? backend.createPool({ processes }) : undefined;
  if (pool && backend.info.separateProcesses === undefined) {
    const { inProcess, separateProcesses } = pool.capabilities;
    Object.assign(backend.info, { inProcess, separateProcesses });
  }
  const column: Column = {
    info: backend.info,
    cases: prepared.forPool(poolSubject(backend, processes, pool)),
    measurements: [],
    stop: () => {
      if (!pool) return Promise.resolve();
      column.insights = insightsOf(pool);
      return stopPool(pool);
    },
  };
  return column;
}

async function rawColumn(
  library: RawLibrary,
  workload: Workload,
  prepared: Prepared,
  processes: number,
): Promise<Column> {
  const pool = workload.sharedPool ? await library.create(processes) : undefined;
  return {
    info: rawInfo(library),
    cases: prepared.forRaw(rawSubject(library, processes, pool)),
    measurements: [],
    stop: () => (pool ? withTimeout(pool.destroy(), 30, 'destroy()').catch(() => {}) : Promise.resolve()),
  };
}

/** The key of one planned run, for the ETA (every round of a case has the same key). */
function runKey(workload: string, subject: SubjectId, c: Pick<Case, 'method' | 'grainUs'>): string {
  return `${workload}/${subject}/${c.method}/${c.grainUs ?? ''}`;
}

/** Runs one case once and records the outcome in `m` (a failure ends the case); returns how long it took. */
async function runOnce(column: Column, c: Case, m: Measurement, timed: boolean, timeoutS: number): Promise<number> {
  let outcome: Timed;
  const started = performance.now();
  try {
    outcome = await withTimeout(c.run(), timeoutS, `${column.info.label} · ${c.label}`);
  } catch (error) {
    const described = describeError(error);
    m.status = 'error';
    m.error = described.error;
    if (described.causes.length > 0) m.causes = described.causes;
    if (error instanceof TimeoutError) column.broken = m.error;
    return performance.now() - started;
  }
  const problem = c.verify(outcome.value);
  if (problem !== undefined) {
    m.status = 'wrong';
    m.error = `wrong answer: ${problem}`;
    return outcome.ms;
  }
  if (timed) {
    m.timesMs.push(outcome.ms);
    if (outcome.callsMs) m.callsMs = [...(m.callsMs ?? []), ...outcome.callsMs];
  }
  return outcome.ms;
}

function failed(workload: Workload, info: SubjectInfo, label: string, error: unknown): Measurement {
  const described = describeError(error);
  return {
    workload: workload.name,
    subject: info.id,
    kind: info.kind,
    method: 'all',
    label,
    items: 0,
    status: 'error',
    error: described.error,
    ...(described.causes.length > 0 ? { causes: described.causes } : {}),
    timesMs: [],
  };
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

/** The rounds of a workload: one warm-up (not with --quick) and `repeat` timed ones. */
function roundsOf(options: BenchOptions): { warmup: number; rounds: number } {
  const warmup = options.quick ? 0 : 1;
  return { warmup, rounds: warmup + options.repeat };
}

/** Every run a workload will make, in order, as ETA keys (building cases starts nothing). */
function planOf(workload: Workload, prepared: Prepared, context: RunContext): string[] {
  const { processes } = context.options;
  const perRound: string[] = [];
  for (const c of prepared.sequential) perRound.push(runKey(workload.name, 'sequential', c));
  for (let i = 0; i < (prepared.limitCases ?? 0); i++) perRound.push(`${workload.name}/limit/${i}`);
  for (const backend of context.backends) {
    for (const c of prepared.forPool(poolSubject(backend, processes, undefined))) {
      perRound.push(runKey(workload.name, backend.info.id, c));
    }
  }
  for (const raw of context.raws) {
    for (const c of prepared.forRaw(rawSubject(raw, processes, undefined))) {
      perRound.push(runKey(workload.name, raw.id, c));
    }
  }
  const keys = Array.from({ length: roundsOf(context.options).rounds }, () => perRound).flat();
  if (context.python && prepared.python) keys.push(`${workload.name}/python`);
  return keys;
}

async function buildColumns(
  workload: Workload,
  prepared: Prepared,
  context: RunContext,
  result: WorkloadResult,
): Promise<Column[]> {
  const { processes } = context.options;
  const columns: Column[] = [];
  if (prepared.sequential.length > 0) {
    columns.push({ info: SEQUENTIAL, cases: prepared.sequential, measurements: [], stop: async () => {} });
  }
  if (prepared.forLimit) {
    try {
      const limit = await prepared.forLimit(processes);
      columns.push({ info: LIMIT, cases: limit.cases, measurements: [], stop: limit.stop });
    } catch (error) {
      result.measurements.push(failed(workload, LIMIT, 'start the bare workers', error));
    }
  }
  const add = async (info: SubjectInfo, make: () => Column | Promise<Column>) => {
    try {
      columns.push(await make());
    } catch (error) {
      result.measurements.push(failed(workload, info, 'create the pool', error));
    }
  };
  for (const backend of context.backends) {
    await add(backend.info, () => parapoolColumn(backend, workload, prepared, processes));
    const raw = context.raws.find((r) => r.backend === backend.info.id);
    if (raw) await add(rawInfo(raw), () => rawColumn(raw, workload, prepared, processes));
  }
  for (const raw of context.raws) {
    if (context.backends.some((b) => b.info.id === raw.backend)) continue;
    await add(rawInfo(raw), () => rawColumn(raw, workload, prepared, processes));
  }
  return columns;
}

async function runWorkload(workload: Workload, prepared: Prepared, context: RunContext): Promise<WorkloadResult> {
  const { options, progress, subjects, sizes } = context;
  const result: WorkloadResult = {
    name: workload.name,
    title: workload.title,
    description: workload.description,
    measurements: [],
  };
  const columns = await buildColumns(workload, prepared, context, result);
  const limitKeys = new Map<Case, string>();
  try {
    for (const column of columns) {
      if (!subjects.some((s) => s.id === column.info.id)) subjects.push(column.info);
      column.cases.forEach((c, i) => {
        if (column.info.kind === 'limit') limitKeys.set(c, `${workload.name}/limit/${i}`);
        column.measurements.push({
          workload: workload.name,
          subject: column.info.id,
          kind: column.info.kind,
          method: c.method,
          label: c.label,
          ...(c.grainUs !== undefined ? { grainUs: c.grainUs } : {}),
          items: c.items,
          ...(column.info.kind === 'sequential' ? {} : { baseline: c.baseline ?? prepared.sequential[0]?.method }),
          ...(c.limit ? { limit: c.limit } : {}),
          status: 'ok',
          timesMs: [],
        });
      });
    }
    // Round 0 warms up (JIT, workers loading the task module); --quick skips it: it
    // proves that everything runs and verifies, its times are only indicative.
    const { warmup, rounds } = roundsOf(options);
    for (let round = 0; round < rounds; round++) {
      for (const column of columns) {
        for (let i = 0; i < column.cases.length; i++) {
          const c = column.cases[i] as Case;
          const m = column.measurements[i] as Measurement;
          const key = limitKeys.get(c) ?? runKey(workload.name, column.info.id, c);
          if (column.broken || m.status !== 'ok') {
            progress.tick(key, 0);
            continue;
          }
          progress.running(workload.title, `${column.info.label} · ${c.label}`);
          await collectGarbage();
          const ms = await runOnce(column, c, m, round >= warmup, options.timeoutS);
          progress.tick(key, ms);
          // Its pool may be stuck: stop it now, skip its other cases.
          if (column.broken) await column.stop().catch(() => {});
        }
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
      progress.running(workload.title, 'CPython multiprocessing.Pool');
      const started = performance.now();
      result.measurements.push(...(await runPython(workload.name, prepared.python, options, sizes)));
      progress.tick(`${workload.name}/python`, performance.now() - started);
    }
  } finally {
    await Promise.all(columns.map((column) => (column.broken ? undefined : column.stop().catch(() => {}))));
  }
  summarize(result, subjects, options.processes);
  if (workload.name === 'crossover') result.crossoverUs = crossoverGrains(result, sizes.crossoverGrainsUs);
  return result;
}

/**
 * Loads a backend and reads its capabilities from a pool that runs nothing (a
 * core backend then starts no worker). A backend whose pool cannot be made that
 * way is still run: its capabilities are then read from its first shared pool.
 */
async function load(name: BackendName, print: (text: string) => void): Promise<LoadedBackend | SubjectInfo> {
  const backend = await loadBackend(name);
  if (!backend.available) {
    print(`${name}: not available: ${backend.reason}`);
    return { id: name, label: name, kind: 'parapool', available: false, reason: backend.reason };
  }
  let capabilities: Pick<SubjectInfo, 'inProcess' | 'separateProcesses'> = {};
  try {
    const probe = backend.createPool({ processes: 1 });
    capabilities = { inProcess: probe.capabilities.inProcess, separateProcesses: probe.capabilities.separateProcesses };
    await withTimeout(probe.terminate(), 10, `${name}: terminate() of a pool that ran nothing`).catch(() => {});
  } catch {
    // read from the first shared pool instead (parapoolColumn)
  }
  return {
    info: { id: name, label: name, kind: 'parapool', available: true, ...capabilities },
    createPool: backend.createPool,
  };
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
  for (const name of options.backends) {
    if (!isBackendName(name)) continue;
    const loaded = await load(name, print);
    if ('createPool' in loaded) backends.push(loaded);
    else subjects.push(loaded);
  }
  const raws = rawLibraries.filter((r) => options.backends.includes(r.id));
  if (options.python && !python) {
    subjects.push({
      id: 'python',
      label: 'CPython Pool',
      kind: 'python',
      available: false,
      reason: 'python3 was not found on PATH',
    });
    print('python: not available: python3 was not found on PATH');
  }
  const progress = progressReporter(options.progress);
  const context: RunContext = { options, sizes, backends, raws, python, progress, subjects };
  const scratch = await mkdtemp(join(tmpdir(), 'parapool-bench-'));
  const selected = workloads.filter((w) => options.workloads.includes(w.name));
  const prepared: { workload: Workload; prepared?: Prepared; error?: unknown; closed?: boolean }[] = [];
  const results: WorkloadResult[] = [];
  try {
    // Every workload is prepared first, so the progress knows every run of the whole bench.
    for (const workload of selected) {
      try {
        const ready = await workload.prepare({
          sizes,
          processes: options.processes,
          seed: options.seed,
          scratch,
          python: !!python,
        });
        prepared.push({ workload, prepared: ready });
      } catch (error) {
        prepared.push({ workload, error });
      }
    }
    progress.start(prepared.flatMap((p) => (p.prepared ? planOf(p.workload, p.prepared, context) : [])));
    for (const entry of prepared) {
      const { workload } = entry;
      let result: WorkloadResult;
      if (entry.prepared) {
        result = await runWorkload(workload, entry.prepared, context);
        entry.closed = true;
        await entry.prepared.close?.().catch(() => {});
      } else {
        result = {
          name: workload.name,
          title: workload.title,
          description: workload.description,
          measurements: [failed(workload, SEQUENTIAL, 'prepare the inputs', entry.error)],
        };
      }
      results.push(result);
      print(workloadTable(result, subjects));
    }
  } finally {
    progress.finish();
    for (const entry of prepared) if (!entry.closed) await entry.prepared?.close?.().catch(() => {});
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
  return { subjects, workloads: results, sizes, python };
}
