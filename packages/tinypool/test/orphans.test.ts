import { describeOrphans } from '@parapool/conformance';

// With runtime 'child_process', tinypool's workers are processes: none may outlive the program.
describeOrphans('tinypool', new URL('../dist/index.js', import.meta.url), { tinypool: { runtime: 'child_process' } });
