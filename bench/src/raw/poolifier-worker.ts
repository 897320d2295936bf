/**
 * Worker file for raw poolifier (no parapool): a `ThreadWorker` of named task
 * functions, called with `pool.execute(arg, name)` as its README shows. The
 * `…Chunk` functions take a hand-made chunk of items.
 */
import { ThreadWorker } from 'poolifier';
import { rawWorkerFunctions } from '../work.js';

type TaskFunction = (data?: unknown) => unknown;

// poolifier awaits a task only if it is declared async: the chunk of fetches returns its promise from a
// plain function, which poolifier would try to post as it is.
const { fetchValueChunk, ...plain } = rawWorkerFunctions;
const fetchValues = async (urls: readonly string[]) => await fetchValueChunk(urls);

export default new ThreadWorker({ ...plain, fetchValueChunk: fetchValues } as unknown as Record<string, TaskFunction>);
