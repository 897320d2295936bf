/**
 * The workerpool worker: exposes one method, `runJob`, that runs a job with the
 * core's worker runtime. workerpool carries the job in and the result out.
 */
import { runJob } from '@parapool/core/worker';
import workerpool from 'workerpool';

workerpool.worker({ runJob });
