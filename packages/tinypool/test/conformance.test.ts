import { describeConformance } from '@parapool/conformance';
import { describe } from 'vitest';
import { createPool } from '../dist/index.js';

describeConformance('tinypool', (options) => createPool(options));

describe("runtime: 'child_process'", () => {
  describeConformance('tinypool', (options) => createPool({ ...options, tinypool: { runtime: 'child_process' } }));
});
