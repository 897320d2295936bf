/**
 * The io-bound workload's web server, in its own process so that serving does
 * not compete with the pool's scheduler in the bench's main thread.
 * GET /n/<i> answers serverValue(i) after `delay` ms. Listens on 127.0.0.1 on a
 * random port and sends the port to its parent.
 */
import { createServer } from 'node:http';
import { serverValue } from './work.js';

const delay = Number(process.argv[2] ?? 5);
const server = createServer((request, response) => {
  const match = /^\/n\/(\d+)$/.exec(request.url ?? '');
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  const body = String(serverValue(Number(match[1])));
  setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end(body), delay);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
// Stop with the bench, however it ends.
process.on('disconnect', () => process.exit(0));
