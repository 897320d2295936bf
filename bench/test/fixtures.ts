/** Small hand-made results for the tests of what is derived from figures (targets, recommendations, README). */
import type {
  BenchResults,
  Measurement,
  MethodId,
  SubjectId,
  SubjectInfo,
  WorkloadId,
  WorkloadResult,
} from '../src/results.js';

/** A measured row: `medianMs` and whatever figures the test needs. */
export function row(
  workload: WorkloadId,
  subject: SubjectId,
  method: MethodId,
  medianMs: number,
  extra: Partial<Measurement> = {},
): Measurement {
  const kind: Measurement['kind'] =
    subject === 'sequential'
      ? 'sequential'
      : subject === 'limit'
        ? 'limit'
        : subject.endsWith('-raw')
          ? 'raw'
          : 'parapool';
  return {
    workload,
    subject,
    kind,
    method,
    label: method,
    items: 1,
    status: 'ok',
    timesMs: [medianMs],
    medianMs,
    minMs: medianMs,
    maxMs: medianMs,
    ...extra,
  };
}

/** A failed row. */
export function failedRow(workload: WorkloadId, subject: SubjectId, method: MethodId, error: string): Measurement {
  return { ...row(workload, subject, method, 0), status: 'error', error, timesMs: [], medianMs: undefined };
}

const BASE_SUBJECTS: SubjectInfo[] = [
  { id: 'sequential', label: 'sequential', kind: 'sequential', available: true },
  { id: 'limit', label: 'limit (bare worker_threads)', kind: 'limit', available: true },
  { id: 'inline', label: 'inline', kind: 'parapool', available: true, inProcess: true, separateProcesses: false },
  { id: 'piscina', label: 'piscina', kind: 'parapool', available: true, inProcess: false, separateProcesses: false },
  { id: 'piscina-raw', label: 'piscina (raw)', kind: 'raw', available: true, backend: 'piscina' },
  {
    id: 'child-process',
    label: 'child-process',
    kind: 'parapool',
    available: true,
    inProcess: false,
    separateProcesses: true,
  },
];

/** Results made of `measurements` (grouped into workloads), on the usual subjects. */
export function resultsOf(measurements: readonly Measurement[], extra: Partial<BenchResults> = {}): BenchResults {
  const workloads: WorkloadResult[] = [];
  for (const m of measurements) {
    let w = workloads.find((x) => x.name === m.workload);
    if (!w) {
      w = { name: m.workload, title: m.workload, description: '', measurements: [] };
      workloads.push(w);
    }
    w.measurements.push(m);
  }
  return {
    version: 2,
    date: '2026-11-22T00:00:00.000Z',
    command: 'pnpm bench --processes 2',
    machine: {
      cpus: 2,
      availableParallelism: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 8,
      platform: 'linux',
      arch: 'x64',
      node: 'v20.0.0',
      loadAverage: [0.5, 0.5, 0.5],
    },
    options: { processes: 2, repeat: 5 },
    sizes: { cpuTaskMs: 20 },
    subjects: BASE_SUBJECTS,
    workloads,
    targets: [],
    recommendations: [],
    ok: true,
    durationS: 60,
    ...extra,
  };
}
