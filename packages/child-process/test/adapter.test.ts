import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: 'child-process',
  package: '@parapool/child-process',
  module: adapter,
  Backend: adapter.ChildProcessBackend,
  libraryOptions: { env: (env) => ({ env }) },
});
