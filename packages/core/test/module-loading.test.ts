/**
 * Loading a task module (importing it, compiling TypeScript) is a worker's start-up, not its job's work:
 * the job says how long it loaded (`loadMs`), its `ran.ms` leaves that out, and insights count it as the
 * worker's start-up. No timing bound: every check compares intervals nested in one another (the module's
 * own load inside the job's loading, the job inside the time around it), which hold however busy the machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../src/index.js';
import type { JobResult } from '../src/wire/job.js';
import { WorkerRuntime } from '../src/worker/runtime.js';
import { timedRun } from '../src/worker/thread.js';

const TASKS = new URL('../src/tasks.ts', import.meta.url).href;
const folder = mkdtempSync(join(tmpdir(), 'parapool-slow-load-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let fresh = 0;

/**
 * A new task module, never imported in this thread, that takes a while to load, as a big module or one
 * compiled by tsx does: its top level keeps the thread busy for 300 ms and says how long it took
 * (measured inside the module).
 */
function freshModule(): string {
  const file = join(folder, `slow-load-${++fresh}.js`);
  writeFileSync(
    file,
    `import { defineTasks } from ${JSON.stringify(TASKS)};
const started = performance.now();
while (performance.now() - started < 300) {
  // busy: loading
}
export const loadedIn = performance.now() - started;
export const slowLoad = defineTasks(import.meta.url, { quick: (n) => n });
`,
  );
  return pathToFileURL(file).href;
}

describe('loading a task module', () => {
  it("is reported as the job's loadMs and left out of ran.ms", async () => {
    const module = freshModule();
    const job = { task: { kind: 'module' as const, module, name: 'quick' }, items: [1], spread: false };
    const runtime = new WorkerRuntime();
    const before = performance.now();
    const first = (await timedRun(runtime, job)) as JobResult;
    const around = performance.now() - before;
    const { loadedIn } = (await import(module)) as { loadedIn: number };
    expect(first.values).toEqual([1]);
    // The module's own top level ran inside the job's loading...
    expect(first.loadMs).toBeGreaterThanOrEqual(loadedIn);
    // ...and the work reported is what is left of the time around the job once that is taken out.
    expect(first.ran?.ms).toBeLessThanOrEqual(around - loadedIn);
    // The same worker's next job loads nothing.
    const second = (await timedRun(runtime, job)) as JobResult;
    expect(second.loadMs).toBeUndefined();
  });

  it("counts as the worker's start-up in insights, not as work, busy time or moving data", async () => {
    const module = freshModule();
    await using pool = createPool({ processes: 1 });
    await pool.apply((n: number) => n, [0]); // the worker is up
    const before = performance.now();
    // A handle by module and name, as defineTasks makes, without importing the module here: the
    // worker imports it (the inline pool's worker runs in this thread, so it must not be loaded yet).
    const task = Object.defineProperties((n: number) => n, {
      [Symbol.for('parapool.task')]: { value: true },
      module: { value: module },
      name: { value: 'quick' },
    });
    await pool.map(task, [1]);
    const around = performance.now() - before;
    const { loadedIn } = (await import(module)) as { loadedIn: number };
    const insights = pool.insights();
    const [worker] = insights.workers;
    expect(worker?.loadingMs).toBeGreaterThanOrEqual(loadedIn);
    expect(worker?.startupMs).toBeGreaterThanOrEqual(worker?.loadingMs as number);
    expect(worker?.busyMs).toBeLessThanOrEqual(around - loadedIn + (insights.elapsedMs - around));
    expect(insights.slowest[0]?.ms).toBeLessThanOrEqual(around - loadedIn);
    expect(insights.work.p95Ms).toBeLessThanOrEqual(around - loadedIn);
    expect(insights.transfer.p95Ms).toBeLessThanOrEqual(around - loadedIn);
  });
});
