import { describePackedTransfer } from '@parapool/conformance';
import { PoolifierBackend } from '../dist/index.js';

describePackedTransfer('poolifier', (options) => new PoolifierBackend(options));
describePackedTransfer('poolifier (cluster)', (options) => new PoolifierBackend(options, { workerType: 'cluster' }));
