import { describeConformance } from '@parapool/conformance';
import { createPool } from '../dist/index.js';

// poolifier's other pool: FixedClusterPool, one OS process per worker.
describeConformance('poolifier', (options) => createPool({ ...options, poolifier: { workerType: 'cluster' } }));
