import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'piscina',
  package: '@parapool/piscina',
  module: adapter,
  Backend: adapter.PiscinaBackend,
  lazyLibrary: { library: 'piscina', loadedPath: '/node_modules/piscina/dist/' },
  libraryOptions: {
    env: (env) => ({ env }),
    heapLimit: (megabytes) => ({ resourceLimits: { maxOldGenerationSizeMb: megabytes } }),
  },
});
