import { describePackedTransfer } from '@parapool/conformance';
import { ThreadsBackend } from '../dist/index.js';

describePackedTransfer('threads', (options) => new ThreadsBackend(options));
