import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'threads',
  package: '@parapool/threads',
  module: adapter,
  Backend: adapter.ThreadsBackend,
  libraryOptions: {
    env: (env) => ({ env }),
    heapLimit: (megabytes) => ({ resourceLimits: { maxOldGenerationSizeMb: megabytes } }),
  },
});
