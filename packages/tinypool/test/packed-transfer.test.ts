import { describePackedTransfer } from '@parapool/conformance';
import { TinypoolBackend } from '../dist/index.js';

describePackedTransfer('tinypool', (options) => new TinypoolBackend(options));
describePackedTransfer(
  'tinypool (child_process)',
  (options) => new TinypoolBackend(options, { runtime: 'child_process' }),
);
