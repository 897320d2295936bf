/**
 * Worker file for raw workerpool (no parapool): `workerpool.worker({ ... })`,
 * called with `pool.exec(name, [arg])` as its README shows. The `…Chunk`
 * functions take a hand-made chunk of items.
 */
import workerpool from 'workerpool';
import { rawWorkerFunctions } from '../work.js';

workerpool.worker(rawWorkerFunctions);
