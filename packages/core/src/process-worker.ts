/**
 * The entry of a worker process forked by `forkWorker` (a pool's worker on
 * `@parapool/child-process`, or one `Process`): the channel worker over IPC.
 */
import { serveChannel } from './worker/channel.js';

serveChannel('@parapool/core');
