import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('piscina', (options) => createPool(options));
