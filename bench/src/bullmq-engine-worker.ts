/**
 * A raw BullMQ worker for `pnpm bench:bullmq`: an empty processor, tuned for throughput (its
 * concurrency from the command line), on the bench's Redis: the engine's own limit on this machine.
 *
 *   node dist/bullmq-engine-worker.js <redis url> <queue> <concurrency>
 */
import { bullmqModule } from './bullmq-engine-lib.js';

const [url, queue, concurrency] = process.argv.slice(2);
const { Worker } = await bullmqModule();
const worker = new Worker(queue as string, async () => undefined, {
  connection: { url: url as string, maxRetriesPerRequest: null },
  concurrency: Number(concurrency),
  // Done jobs are removed at once, as parapool's are.
  removeOnComplete: { count: 0 },
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
