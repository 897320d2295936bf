import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'poolifier',
  package: '@parapool/poolifier',
  module: adapter,
  Backend: adapter.PoolifierBackend,
  // poolifier's other pool: FixedClusterPool, one OS process per worker.
  variants: { "workerType: 'cluster'": { workerType: 'cluster' } },
  // The environment is workerOptions.env for threads, env for cluster workers.
  libraryOptions: {
    env: (env, base) => (base?.workerType === 'cluster' ? { ...base, env } : { workerOptions: { env } }),
    heapLimit: (megabytes) => ({ workerOptions: { resourceLimits: { maxOldGenerationSizeMb: megabytes } } }),
  },
});
