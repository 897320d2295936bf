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
// The server never closes an idle keep-alive connection: only the client does
// (undici, after its own idle timeout). A server that closes idle connections
// races with a client reusing one: on a loaded machine the client's timers run
// late, it sends a request on a connection the server has just closed, and
// fetch fails with "other side closed" (UND_ERR_SOCKET). Every connection
// ends with its pool's workers, or with this process at the end of the workload.
server.keepAliveTimeout = 0;
// No request may be cut short by a slow moment either (the defaults are 60 s for
// the headers and 300 s for a request: a busy 2-core machine can exceed neither,
// but nothing here needs them).
server.headersTimeout = 0;
server.requestTimeout = 0;
// Every worker opens up to one connection per concurrent request (100 per
// chunk): room for all of them to queue while the server is not scheduled.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
// Stop with the bench, however it ends.
process.on('disconnect', () => process.exit(0));
