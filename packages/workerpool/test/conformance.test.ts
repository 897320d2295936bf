import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('workerpool', (options) => createPool(options));
