/**
 * Runs every example program on every backend, as a user would (a separate
 * Node process on the built program), and checks what it prints against the
 * answer computed here, sequentially, with the same task functions.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BACKENDS, type BackendName, checksum } from '../src/cli.js';
import { makeColumns } from '../src/dataframe/data.js';
import { hypotenuse } from '../src/dataframe/tasks.js';
import { makeData as makeRows } from '../src/howmany/data.js';
import { tasks as howmany } from '../src/howmany/tasks.js';
import { makeData as makeNumbers } from '../src/parallel-sort/data.js';
import { scientists } from '../src/scientists/data.js';
import { makeData as makeUniform } from '../src/shared-memory/data.js';
import { countRange } from '../src/shared-memory/tasks.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs `dist/<example>/main.js` and returns its `label: <json>` lines, parsed, and the whole output. */
async function runExample(example: string, backend: BackendName, ...args: string[]) {
  const { stdout, stderr } = await run(process.execPath, [`dist/${example}/main.js`, '--backend', backend, ...args], {
    cwd: root,
    timeout: 100_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const reported: Record<string, unknown> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([\w+-]+): ([[{"\d-].*)$/.exec(line);
    if (match?.[1] && match[2]) reported[match[1]] = JSON.parse(match[2]);
  }
  return { reported, stdout, stderr };
}

const summary = (values: ArrayLike<number>, n = 10) => ({
  first: Array.from(values).slice(0, n),
  checksum: checksum(Array.from(values)),
});

/** The backends that refuse this runtime at createPool, with their message: their examples must say so and exit. */
const refusals = new Map<string, string>();
for (const backend of BACKENDS) {
  const { createPool } = (await import(backend === 'inline' ? '@parapool/core' : `@parapool/${backend}`)) as {
    createPool(options: { processes: number }): { terminate(): Promise<void> };
  };
  try {
    await createPool({ processes: 1 }).terminate();
  } catch (error) {
    if ((error as Error).name !== 'UnsupportedRuntimeError') throw error;
    refusals.set(backend, (error as Error).message);
  }
}

describe.concurrent.each(BACKENDS)('examples on %s', (backend) => {
  const refusal = refusals.get(backend);
  if (refusal !== undefined) {
    it(`refuses this runtime at createPool: ${refusal}`, async () => {
      const failed = (await runExample('square', backend, '--n', '50').catch((error: unknown) => error)) as {
        code?: unknown;
        stderr?: string;
      };
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`UnsupportedRuntimeError: ${refusal}`);
    });
    return;
  }

  it('watch: insights count every item, recycling shows as events; stderr (piped) has the summary, no bar', async () => {
    const { reported, stdout, stderr } = await runExample('watch', backend, '--n', '100', '--recycle', '5');
    expect(stdout).toContain(`2 workers on ${backend}`);
    expect(reported.items).toEqual({ submitted: 100, completed: 100 });
    const sum = (n: number) => (n * (n - 1) * (2 * n - 1)) / 6;
    expect(reported.first).toEqual([10_000, 11_000, 12_000].map(sum));
    // 25 jobs of 4 items on workers retired every 5 jobs: at least 4 recycles.
    expect(reported.recycled).toBeGreaterThanOrEqual(4);
    expect(stderr).toMatch(/\[recycle\] worker \d+/);
    expect(stderr).toMatch(/\[replace\] worker \d+ -> worker \d+ \(recycle\)/);
    expect(stderr).toMatch(/^sum of squares: 100\/100 done in /m);
    expect(stderr).toMatch(/^parapool \S+, 2 workers, over /m);
    expect(stderr).not.toContain('\u001b');
  });

  it('howmany --insights: progress ends in a summary line and the insights summary is printed, on stderr', async () => {
    const { stdout, stderr } = await runExample(
      'howmany',
      backend,
      '--rows',
      '500',
      '--apply-rows',
      '10',
      '--insights',
    );
    expect(stdout).toContain('map: ');
    expect(stderr).toMatch(/^map: 500\/500 done in /m);
    expect(stderr).toMatch(new RegExp(`^parapool ${backend}, \\d+ workers?, over `, 'm'));
    expect(stderr).toMatch(/per job \(median \/ p95\): waiting/);
  });

  it('square: a pool of 4 squares 0..n-1', async () => {
    const { reported, stdout } = await runExample('square', backend, '--n', '50');
    expect(stdout).toContain(`4 workers on ${backend}`);
    expect(reported.squares).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
  });

  it('howmany: all six ways give the sequential counts', async () => {
    const rows = 3000;
    const { reported } = await runExample('howmany', backend, '--rows', String(rows), '--apply-rows', '200');
    const counts = makeRows(rows).map((row) => howmany.howmanyWithinRange(row, 4, 8));
    expect(reported.cpuCount).toBeGreaterThanOrEqual(1);
    expect(reported.apply).toEqual({ rows: 200, ...summary(counts.slice(0, 200)) });
    for (const way of ['map', 'starmap', 'applyAsync+callback', 'applyAsync+get', 'mapAsync', 'starmapAsync']) {
      expect(reported[way], way).toEqual({ rows, ...summary(counts) });
    }
  });

  it('scientists: map gives the sequential records; the closure pitfall shows InlineTaskError, the fix works', async () => {
    const { reported, stdout } = await runExample('scientists', backend, '--delay', '20');
    const expected = scientists.map((x) => ({ name: x.name, age: 2017 - x.born }));
    expect(reported.result).toEqual(expected);
    expect(stdout).toContain("InlineTaskError: Inline task refers to 'thisYear', which does not exist in the worker.");
    expect(stdout).toContain("pass 'thisYear' as an argument");
    expect(reported.fixed).toEqual(expected);
  });

  it('fetch-urls: every URL of the local server is fetched, in order, batch by batch', async () => {
    const { reported, stdout } = await runExample('fetch-urls', backend, '--urls', '250', '--batch', '100');
    const values = Array.from({ length: 250 }, (_, i) => i * i);
    expect(stdout).toContain('batch 3: 50 fetched');
    expect(reported.fetched).toEqual({ count: 250, ...summary(values, 5) });
  });

  it('parallel-sort: parts sorted in parallel and merged equal the sequential sort', async () => {
    const { reported } = await runExample('parallel-sort', backend, '--size', '100000', '--parts', '3');
    const sorted = makeNumbers(100_000).sort();
    expect(reported.sorted).toEqual({ length: 100_000, ...summary(sorted, 5) });
  });

  it('processes: exit codes as in Python; a pool reports a worker exit instead of hanging', async () => {
    const { reported, stdout } = await runExample('processes', backend);
    expect(stdout).toContain('hello bob');
    expect(reported.exitCodes).toEqual({ exitError: 1, exitOk: 0, returnValue: 0, raises: 1, terminated: -15 });
    expect(reported.poolOutcomes).toEqual({
      exitError:
        backend === 'inline' ? 'skipped: inline does not isolate crashes' : 'threw WorkerCrashedError (exit code 1)',
      exitOk: 'returned undefined',
      returnValue: 'returned 1',
      raises: 'threw Error: There was an error!',
    });
  });

  it('dataframe: a parallel row apply over an Arrow table equals the sequential apply', async () => {
    const rows = 50_000;
    const { reported, stdout } = await runExample('dataframe', backend, '--rows', String(rows), '--parts', '5');
    const { a, b } = makeColumns(rows);
    const table = tableFromArrays({ a, b });
    const expected = Array.from(table, (row) => hypotenuse(row));
    expect(reported.hypotenuse).toEqual({ rows, ...summary(expected, 5) });
    const copies = backend === 'child-process';
    expect(stdout).toContain(copies ? 'each task gets a copy of its rows' : 'columns and result are not copied');
  });

  it('shared-memory: the histogram counted into shared bins with Atomics equals the sequential one; transfer() moves on threads', async () => {
    const size = 40_000;
    const { reported, stdout } = await runExample('shared-memory', backend, '--size', String(size), '--parts', '5');
    const data = makeUniform(size, false);
    expect(reported.bins).toEqual(countRange(data, 0, size));
    const scaled = Array.from(data, (x) => x * 2);
    expect(reported.scaled).toEqual({ length: size, first: scaled.slice(0, 3), checksum: checksum(scaled) });
    const processes = backend === 'child-process';
    expect(stdout).toContain(processes ? 'each task gets a copy of its range' : 'nothing is copied');
    // Moved where the backend can move memory (worker threads).
    const moves = !processes;
    expect(reported.moved).toEqual({ detached: moves });
    expect(stdout).toContain(moves ? 'moved to a worker and back' : 'cannot move memory, so it was copied');
  });
});

describe('the pnpm scripts', () => {
  it('run the TypeScript sources with tsx: square on piscina', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/square/main.ts', '--', '--backend', 'piscina'],
      {
        cwd: root,
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('squares: [0,1,4,9,16,25,36,49,64,81]');
  });
});
