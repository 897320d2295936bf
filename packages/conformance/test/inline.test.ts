import { createPool } from '@parapool/core';
import { describeConformance } from '../src/index.js';

describeConformance('inline', (options) => createPool(options));
