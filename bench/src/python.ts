/**
 * The CPython reference: python/pool_bench.py runs a workload with
 * multiprocessing.Pool on the same inputs and reports its times and the sha256
 * of its answers, checked here against the sequential answer.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { describeError } from './errors.js';
import type { BenchOptions } from './options.js';
import type { Measurement, MethodId, SubjectId, WorkloadId } from './results.js';
import type { Sizes } from './sizes.js';
import type { PythonPart } from './workload.js';

const script = fileURLToPath(new URL('../python/pool_bench.py', import.meta.url));

/** What pool_bench.py prints for one method. */
interface PythonRow {
  method: MethodId;
  label: string;
  grainUs?: number;
  items: number;
  baseline?: MethodId;
  times: number[];
  digest?: string | null;
  /** Self-check against Python's own sequential answer (where no digest is expected). */
  ok?: boolean | null;
  error?: string | null;
}

interface PythonOutput {
  sequential: PythonRow[];
  methods: PythonRow[];
}

async function run(input: string, timeoutS: number): Promise<string> {
  const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutS * 1000 });
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  child.stdin.end(input);
  const [stdout, stderr, [code, signal]] = await Promise.all([text(child.stdout), text(child.stderr), exited]);
  if (code === 0) return stdout;
  const why = signal ? `was killed (${signal})` : `exited ${code}`;
  throw new Error(`python3 pool_bench.py ${why}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

function toMeasurement(
  workload: WorkloadId,
  subject: SubjectId,
  row: PythonRow,
  expected: PythonPart['expected'],
): Measurement {
  const m: Measurement = {
    workload,
    subject,
    kind: 'python',
    method: row.method,
    label: row.label,
    ...(row.grainUs !== undefined ? { grainUs: row.grainUs } : {}),
    items: row.items,
    ...(row.baseline ? { baseline: row.baseline } : {}),
    status: 'ok',
    timesMs: row.times,
  };
  const want = expected[row.method];
  if (row.error) {
    m.status = 'error';
    m.error = row.error;
  } else if (want !== undefined && row.digest !== want) {
    m.status = 'wrong';
    m.error = 'wrong answer: its sha256 differs from the sequential answer';
  } else if (want === undefined && row.ok === false) {
    m.status = 'wrong';
    m.error = "wrong answer: differs from Python's own sequential answer";
  }
  return m;
}

/** Runs one workload in CPython; failures become error rows, never exceptions. */
export async function runPython(
  workload: WorkloadId,
  part: PythonPart,
  options: BenchOptions,
  sizes: Sizes,
): Promise<Measurement[]> {
  const input = JSON.stringify({
    workload,
    processes: options.processes,
    repeat: options.rounds.minRuns,
    quick: options.quick,
    sizes,
    ...part.config,
  });
  try {
    const output = JSON.parse(await run(input, options.timeoutS * 10)) as PythonOutput;
    return [
      ...output.sequential.map((row) => toMeasurement(workload, 'python-sequential', row, part.expected)),
      ...output.methods.map((row) => toMeasurement(workload, 'python', row, part.expected)),
    ];
  } catch (error) {
    const described = describeError(error);
    return [
      {
        workload,
        subject: 'python',
        kind: 'python',
        method: 'all',
        label: 'all methods',
        items: 0,
        status: 'error',
        error: described.error,
        ...(described.causes.length > 0 ? { causes: described.causes } : {}),
        timesMs: [],
      },
    ];
  }
}
