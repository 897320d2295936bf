/**
 * Worker file for raw threads.js (no parapool): `expose` an object of
 * functions, called with `pool.queue((worker) => worker.name(arg))`. The
 * `…Chunk` functions take a hand-made chunk of items.
 */
import { expose } from 'threads/worker';
import { rawWorkerFunctions } from '../work.js';

expose(rawWorkerFunctions);
