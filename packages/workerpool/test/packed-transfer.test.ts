import { describePackedTransfer } from '@parapool/conformance';
import { WorkerpoolBackend } from '../dist/index.js';

describePackedTransfer('workerpool', (options) => new WorkerpoolBackend(options));
describePackedTransfer('workerpool (process)', (options) => new WorkerpoolBackend(options, { workerType: 'process' }));
