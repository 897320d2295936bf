/**
 * A static server for a built folder on 127.0.0.1, on a free port the system picks, started and
 * stopped by the test. sirv serves the files; no extension is guessed (`/a` is not `/a.html`), so
 * a link that names a file that does not exist is a 404 here as on any static host.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

/** A running server: its origin (`http://127.0.0.1:port`) and how to stop it. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `dir` until `close()`. */
export async function serveFolder(dir: string): Promise<StaticServer> {
  const serve = sirv(dir, { dev: true, extensions: [], etag: false });
  const server: Server = createServer((req, res) =>
    serve(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
