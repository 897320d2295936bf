import { describeAdapter } from '@parapool/conformance';
import * as adapter from '../dist/index.js';

describeAdapter({
  name: '__name__',
  package: '@parapool/__name__',
  module: adapter,
  Backend: adapter.__Pascal__Backend,
});
