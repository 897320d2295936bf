import { describePackedTransfer } from '@parapool/conformance';
import { PiscinaBackend } from '../dist/index.js';

describePackedTransfer('piscina', (options) => new PiscinaBackend(options));
