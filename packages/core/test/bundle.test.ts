/**
 * The built package, as a worker thread loads it: `@parapool/core` (what a
 * task module imports), `@parapool/core/adapter` (an adapter's) and
 * `@parapool/core/worker` (what an adapter's worker entry imports) are three bundles, and what both hold must exist once per
 * thread, or a class would not be itself through the other entry.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** Runs `body` (the module namespaces are `core`, `adapter` and `worker`) in a fresh thread and returns what it posts. */
function inFreshThread(body: string): Promise<unknown> {
  // The package imports itself by name (its `exports`), resolved from this folder as users' imports are.
  const code = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const core = await import('@parapool/core');
      const adapter = await import('@parapool/core/adapter');
      const worker = await import('@parapool/core/worker');
      ${body}
    })().then((value) => parentPort.postMessage(value), (error) => parentPort.postMessage({ error: String(error) }));
  `;
  return new Promise((resolve, reject) => {
    const thread = new Worker(code, { eval: true });
    thread.once('message', (value) => {
      resolve(value);
      void thread.terminate();
    });
    thread.once('error', reject);
  });
}

describe('the built entries', () => {
  it('share one copy of their common code: the functions both export are the same objects', async () => {
    const same = await inFreshThread(`
      return [
        ['currentWorker', core, worker],
        ['transfer', core, worker],
        ['jobLength', adapter, worker],
        ['runJob', adapter, worker],
      ].map(([name, one, other]) => [name, typeof one[name] === 'function' && one[name] === other[name]]);
    `);
    expect(same).toEqual([
      ['currentWorker', true],
      ['transfer', true],
      ['jobLength', true],
      ['runJob', true],
    ]);
  });

  it("report a task's errors as the classes @parapool/core exports", async () => {
    // The worker runtime (through @parapool/core/worker) makes the error; the
    // caller's side (through @parapool/core) knows it by its class.
    const seen = await inFreshThread(`
      const runtime = new worker.WorkerRuntime();
      const result = await runtime.runJob({
        task: { kind: 'module', module: 'file:///nowhere/tasks.js', name: 'missing' },
        items: [1],
        spread: false,
      });
      const error = adapter.deserializeError(result.failures[0].error);
      return {
        name: error.name,
        isCoreClass: error instanceof core.TaskResolutionError && error instanceof core.ParapoolError,
      };
    `);
    expect(seen).toEqual({ name: 'TaskResolutionError', isCoreClass: true });
  });
});
