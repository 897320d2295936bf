/**
 * The CPython reference: python/pool_bench.py runs a workload with
 * multiprocessing.Pool on the same inputs and reports its times and the sha256
 * of its answers, checked here against the sequential answer.
 */
import { spawn } from 'node:child_process';
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

function run(input: string, timeoutS: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), timeoutS * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `python3 pool_bench.py ${signal ? `was killed (${signal})` : `exited ${code}`}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
    child.stdin.end(input);
  });
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
