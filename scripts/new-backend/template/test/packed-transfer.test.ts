import { describePackedTransfer } from '@parapool/conformance';
import { __Pascal__Backend } from '../dist/index.js';

describePackedTransfer('__name__', (options) => new __Pascal__Backend(options));
