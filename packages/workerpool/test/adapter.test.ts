import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'workerpool',
  package: '@parapool/workerpool',
  module: adapter,
  Backend: adapter.WorkerpoolBackend,
  // workerpool's other worker type: one OS process per worker.
  variants: { "workerType: 'process'": { workerType: 'process' } },
  lazyLibrary: { library: 'workerpool', loadedPath: '/workerpool/src/' },
});
