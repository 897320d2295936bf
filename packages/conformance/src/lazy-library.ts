import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';

/**
 * Declares the check that importing an adapter in a worker (what a task module
 * does for `defineTasks`) does not load its pool library there, for libraries
 * loaded through `lazyLibrary` (CommonJS): `loadedPath` is a fragment of the
 * library's file paths as `require.cache` holds them (Bun's holds ES modules too,
 * the adapter's own files among them: name the library's folder under node_modules).
 *
 * @example
 * ```ts
 * import { describeLazyLibrary } from '@parapool/conformance';
 * describeLazyLibrary('@parapool/piscina', 'piscina', '/node_modules/piscina/dist/');
 * ```
 */
export function describeLazyLibrary(adapter: string, library: string, loadedPath: string): void {
  it(`a task module that imports ${adapter} in a worker does not load ${library} there`, async () => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const loaded = () => Object.keys(require.cache).some((path) => path.includes(workerData.loadedPath));
      import(workerData.adapter).then((exports) => {
        const before = loaded();
        // Then the library itself, as the adapter finds it: the fragment must see it once it is loaded.
        require('node:module').createRequire(require.resolve(workerData.adapter))(workerData.library);
        parentPort.postMessage({ defineTasks: typeof exports.defineTasks, loaded: before, seenOnceLoaded: loaded() });
      });
    `;
    const worker = new Worker(code, { eval: true, workerData: { adapter, library, loadedPath } });
    try {
      const answer = await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(answer).toEqual({ defineTasks: 'function', loaded: false, seenOnceLoaded: true });
    } finally {
      await worker.terminate();
    }
  });
}
