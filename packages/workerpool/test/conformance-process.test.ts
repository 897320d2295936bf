import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

// workerpool's other worker type: one OS process per worker.
describeConformance('workerpool', (options) => createPool({ ...options, workerpool: { workerType: 'process' } }));
