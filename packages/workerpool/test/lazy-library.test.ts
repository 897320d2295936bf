import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

it('a task module that imports @parapool/workerpool in a worker does not load workerpool there', async () => {
  // What a worker does for a task module written as the README says: import { defineTasks } from the adapter.
  const code = `
    const { parentPort } = require('node:worker_threads');
    import('@parapool/workerpool').then((adapter) => {
      const loaded = Object.keys(require.cache).some((path) => path.includes('/workerpool/src/'));
      parentPort.postMessage({ defineTasks: typeof adapter.defineTasks, loaded });
    });
  `;
  const worker = new Worker(code, { eval: true });
  try {
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(answer).toEqual({ defineTasks: 'function', loaded: false });
  } finally {
    await worker.terminate();
  }
});
