/**
 * The worker process: the core's channel worker, over IPC.
 */
import { serveChannel } from '@parapool/core/worker';

serveChannel('@parapool/child-process');
