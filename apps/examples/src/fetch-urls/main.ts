/**
 * Seed 000's closing idea: fetch many URLs, in batches of 100, from a local
 * server (127.0.0.1, a free port).
 *
 *   pnpm --filter @parapool/examples fetch-urls -- --backend workerpool [--urls 1000] [--batch 100]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatInsights } from '@parapool/core';
import { checksum, exampleArgs, report } from '../cli.js';
import { tasks } from './tasks.js';

const { createPool, backend, options, insights } = await exampleArgs({ urls: 1000, batch: 100 });

// A local server: /item/<i> answers {"id": i, "value": i * i}.
const server = createServer((request, response) => {
  const id = Number(/^\/item\/(\d+)$/.exec(request.url ?? '')?.[1] ?? Number.NaN);
  if (!Number.isInteger(id)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, value: id * id }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const urls = Array.from({ length: options.urls }, (_, i) => `http://127.0.0.1:${port}/item/${i}`);

try {
  await using pool = createPool({ processes: 4 });
  console.log(`${pool.processes} workers on ${backend}, ${urls.length} URLs in batches of ${options.batch}`);
  const values: number[] = [];
  for (let start = 0; start < urls.length; start += options.batch) {
    const batch = urls.slice(start, start + options.batch);
    const bodies = await pool.map(tasks.fetchJson, batch, {
      progress: { label: `batch ${start / options.batch + 1}` },
    });
    values.push(...bodies.map((body) => body.value));
    console.log(`batch ${start / options.batch + 1}: ${bodies.length} fetched`);
  }
  report('fetched', { count: values.length, first: values.slice(0, 5), checksum: checksum(values) });
  if (insights) console.error(formatInsights(pool.insights()));
} finally {
  server.closeAllConnections();
  server.close();
}
