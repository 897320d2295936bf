// piscina loads its worker file with require(). Requiring this package's ES
// module worker directly hits a Node 20 crash in require(esm)
// ("v8::Module::IsGraphAsync must be used on an instantiated module"), seen
// about once in a few hundred pools. piscina gets this CommonJS file instead,
// which import()s the ES module once.
import type { Job, JobResult } from '@parapool/core/worker';

let worker: Promise<{ default: (job: Job) => Promise<JobResult> }> | undefined;

module.exports = async function runParapoolJob(job: Job): Promise<JobResult> {
  worker ??= import('./worker.js');
  return (await worker).default(job);
};
