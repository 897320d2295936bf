import { describeOrphans } from '@parapool/conformance';

// With workerType 'cluster', poolifier's workers are processes: none may outlive the program.
describeOrphans('poolifier', new URL('../dist/index.js', import.meta.url), { poolifier: { workerType: 'cluster' } });
