import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('__name__', (options) => createPool(options));
