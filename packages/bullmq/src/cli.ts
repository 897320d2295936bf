#!/usr/bin/env node
/**
 * `parapool-worker`: serves a parapool BullMQ queue on this machine.
 *
 *   npx parapool-worker --redis redis://10.0.0.5:6379 --queue parapool --concurrency 8 --root /srv/app
 */
import { parseArgs } from 'node:util';
import { cpuCount } from '@parapool/core';
import { Host } from './host/host.js';
import { LOCAL_BACKENDS } from './host/local-backends.js';
import { nearestPackageRoot } from './shared/module-files.js';
import { type Connection, checkConnection, withTls } from './shared/redis-client.js';

const USAGE = `usage: parapool-worker --redis <url> --queue <name> [options]

  --redis <url>             Redis, e.g. redis://10.0.0.5:6379, or rediss://user:password@redis.internal:6380 (TLS)
  --tls-ca <file>           the CA (PEM) that signed Redis's certificate, if not one Node trusts already
  --tls-cert <file>         a client certificate (PEM), for a Redis that asks for one (tls-auth-clients)
  --tls-key <file>          its key (PEM)
  --queue <name>            the BullMQ queue the caller pools use
  --concurrency <n>         chunks run at once (default: this machine's cores, ${cpuCount()})
  --root <dir>              task modules are found by their path under it
                            (default: the nearest folder with a package.json, from the working directory)
  --backend <name>          local backend: ${LOCAL_BACKENDS.join(', ')} (default piscina);
                            each is the package @parapool/<name>, installed beside @parapool/bullmq
  --allow-inline            run inline functions sent as source (anyone who can write to Redis could run code here)
  --prefix <prefix>         BullMQ key prefix (default bull)
  --lock-duration <ms>      BullMQ lock: a dead host's chunks are taken over after about this long (default 30000)
  --stalled-interval <ms>   BullMQ stalled-job check interval (default 30000)
  --max-stalled-count <n>   recoveries of a chunk from dead hosts before it fails (default 1)
  --heartbeat <ms>          announcement renewal interval (default 2000); a host silent for 3 of them is
                            lost, and callers send the chunks it held to other hosts
  --grace <ms>              on SIGTERM, time running chunks get to finish before they are handed back (default 30000)
  --idle-timeout <ms>       a caller pool's local workers stop after this long unused (default 60000)
  --metrics <port>          serve Prometheus metrics at http://<this machine>:<port>/metrics (0: a free port)
  --connect-timeout <ms>    starting fails if Redis cannot be reached within this long (default 10000)
  --help                    this text

SIGTERM or SIGINT stops gracefully; a second one hands running chunks back at once.`;

function fail(message: string): never {
  process.stderr.write(`parapool-worker: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(values: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) fail(`--${name} must be an integer ≥ ${min} (got ${String(raw)})`);
  return value;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        redis: { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        root: { type: 'string' },
        backend: { type: 'string', default: 'piscina' },
        'allow-inline': { type: 'boolean', default: false },
        prefix: { type: 'string', default: 'bull' },
        'lock-duration': { type: 'string' },
        'stalled-interval': { type: 'string' },
        'max-stalled-count': { type: 'string' },
        heartbeat: { type: 'string' },
        grace: { type: 'string' },
        'idle-timeout': { type: 'string' },
        'connect-timeout': { type: 'string' },
        metrics: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.redis) fail('--redis is required');
  if (!values.queue || String(values.queue).includes(':')) fail('--queue is required (a name without ":")');
  let connection: Connection;
  try {
    connection = checkConnection(values.redis, '--redis') as string;
    connection = withTls(connection, {
      ca: values['tls-ca'] as string | undefined,
      cert: values['tls-cert'] as string | undefined,
      key: values['tls-key'] as string | undefined,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const backend = String(values.backend);
  if (!LOCAL_BACKENDS.includes(backend)) fail(`--backend must be one of ${LOCAL_BACKENDS.join(', ')}`);
  const heartbeat = integer(values, 'heartbeat', 2000, 100);
  const grace = integer(values, 'grace', 30_000, 0);
  let host: Host;
  try {
    host = await Host.start({
      connection,
      queue: String(values.queue),
      concurrency: integer(values, 'concurrency', cpuCount(), 1),
      root: values.root ? String(values.root) : nearestPackageRoot(process.cwd()),
      backend,
      allowInline: values['allow-inline'] === true,
      prefix: String(values.prefix),
      lockDuration: integer(values, 'lock-duration', 30_000, 1000),
      stalledInterval: integer(values, 'stalled-interval', 30_000, 500),
      maxStalledCount: integer(values, 'max-stalled-count', 1, 0),
      heartbeat,
      idleTimeout: integer(values, 'idle-timeout', 60_000, 1000),
      connectTimeout: integer(values, 'connect-timeout', 10_000, 100),
      ...(values.metrics === undefined ? {} : { metricsPort: integer(values, 'metrics', 0, 0) }),
    });
  } catch (error) {
    process.stderr.write(`parapool-worker: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let signals = 0;
  const stop = () => {
    signals += 1;
    host.stop(signals === 1 ? grace : 0).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`parapool-worker: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
