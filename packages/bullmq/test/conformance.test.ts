import { describeConformance } from '@parapool/conformance';
import { inject } from 'vitest';
import { createPool } from '../dist/index.js';
import { CONFORMANCE } from './support/roots.js';

// Two real parapool-worker processes (concurrency 1 each, inline functions allowed), each with its
// own copy of the conformance task modules under another root: see support/global-setup.ts.
describeConformance('bullmq', (options) =>
  createPool({ connection: inject('redisUrl'), queue: inject('conformanceQueue'), root: CONFORMANCE, ...options }),
);
