import { describePackedTransfer } from '@parapool/conformance';
import { ChildProcessBackend } from '../dist/index.js';

describePackedTransfer('child-process', (options) => new ChildProcessBackend(options));
