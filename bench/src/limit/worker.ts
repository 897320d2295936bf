/**
 * A limit worker: bare `node:worker_threads`, no pool library, no parapool.
 * Answers each message in order; packed results are transferred back.
 */
import { parentPort } from 'node:worker_threads';
import { howmanyPacked, howmanyPackedArgs, square, squareInPlace } from '../work.js';
import type { LimitReply, LimitRequest } from './messages.js';

const port = parentPort;
if (!port) throw new Error('limit/worker.js runs in a worker thread');

port.on('message', (request: LimitRequest) => {
  if (typeof request === 'number') {
    port.postMessage(square(request));
    return;
  }
  let out: LimitReply;
  if (request.op === 'howmany') out = howmanyPacked(request.rows, request.width, request.minimum, request.maximum);
  else if (request.op === 'howmany-args')
    out = howmanyPackedArgs(request.rows, request.width, request.minimums, request.maximums);
  else out = squareInPlace(request.xs);
  port.postMessage(out, [out.buffer]);
});
