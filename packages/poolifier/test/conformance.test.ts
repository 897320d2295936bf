import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('poolifier', (options) => createPool(options));
