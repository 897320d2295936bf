import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'workerpool',
  package: '@parapool/workerpool',
  module: adapter,
  Backend: adapter.WorkerpoolBackend,
  // workerpool's other worker type: one OS process per worker.
  variants: { "workerType: 'process'": { workerType: 'process' } },
  // The environment is workerThreadOpts.env for threads, forkOpts.env for processes.
  libraryOptions: {
    env: (env, base) =>
      base?.workerType === 'process' ? { ...base, forkOpts: { env } } : { workerThreadOpts: { env } },
    heapLimit: (megabytes) => ({ workerThreadOpts: { resourceLimits: { maxOldGenerationSizeMb: megabytes } } }),
  },
  lazyLibrary: { library: 'workerpool', loadedPath: '/node_modules/workerpool/src/' },
});
