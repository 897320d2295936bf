import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('child-process', (options) => createPool(options));
