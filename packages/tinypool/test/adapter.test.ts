import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'tinypool',
  package: '@parapool/tinypool',
  module: adapter,
  Backend: adapter.TinypoolBackend,
  variants: { "runtime: 'child_process'": { runtime: 'child_process' } },
  libraryOptions: {
    env: (env, base) => ({ ...base, env }),
    heapLimit: (megabytes) => ({ resourceLimits: { maxOldGenerationSizeMb: megabytes } }),
  },
});
