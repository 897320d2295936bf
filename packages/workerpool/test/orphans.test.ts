import { describeOrphans } from '@parapool/conformance';

// With workerType 'process', workerpool's workers are processes: none may outlive the program.
describeOrphans('workerpool', new URL('../dist/index.js', import.meta.url), { workerpool: { workerType: 'process' } });
