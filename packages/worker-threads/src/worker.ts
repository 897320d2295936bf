/**
 * The worker thread: the core's channel worker runs each job it receives and sends the outcome back.
 */
import { serveChannel } from '@parapool/core/worker';

serveChannel('@parapool/worker-threads');
