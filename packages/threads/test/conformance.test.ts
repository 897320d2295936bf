import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

describeConformance('threads', (options) => createPool(options));
