import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'worker-threads',
  package: '@parapool/worker-threads',
  module: adapter,
  Backend: adapter.WorkerThreadsBackend,
  libraryOptions: {
    env: (env) => ({ env }),
    heapLimit: (megabytes) => ({ resourceLimits: { maxOldGenerationSizeMb: megabytes } }),
  },
});
