import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

it('a task module that imports @parapool/piscina in a worker does not load piscina there', async () => {
  // What a worker does for a task module written as the README says: import { defineTasks } from the adapter.
  const code = `
    const { parentPort } = require('node:worker_threads');
    import('@parapool/piscina').then((adapter) => {
      const loaded = Object.keys(require.cache).some((path) => path.includes('/piscina/dist/'));
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
