import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { settlesWithin } from '@parapool/core/adapter';
import { type AbstractConnector, Redis, type RedisOptions } from 'ioredis';

type Connect = AbstractConnector['connect'];
type ConnectorClass = new (
  options: RedisOptions,
) => { connect(...args: Parameters<Connect>): ReturnType<Connect>; disconnect(): void };
/** ioredis's connector to one server: its default, which the package does not export by name. */
const { default: OneServerConnector } = createRequire(import.meta.url)(
  'ioredis/built/connectors/StandaloneConnector.js',
) as { default: ConnectorClass };

/**
 * ioredis's connector to one server, with an error listener on every socket it
 * opens for as long as the socket lives. ioredis listens for a socket's first
 * error only, and a TLS socket can fail twice: when a connection is closed while
 * the server's certificate is being refused, the server's alert arrives after
 * the refusal, and its error was an uncaught exception in the caller's process.
 */
class SocketErrorSafeConnector extends OneServerConnector {
  override connect(...args: Parameters<Connect>): ReturnType<Connect> {
    return super.connect(...args).then((socket) => {
      // ioredis handles the first error itself; the others only say the socket is gone.
      socket.on('error', () => {});
      return socket;
    });
  }
}

/** Where Redis is: a URL (`redis://host:6379`, `rediss://` for TLS) or ioredis options (host, port, password, tls...). */
export type Connection = string | RedisOptions;

/** Checks a `connection` option, with a message that says what to pass. */
export function checkConnection(connection: unknown, what: string): Connection {
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new TypeError(
        `${what} must be a redis:// or rediss:// URL, or ioredis options such as { host, port, password, tls } (got ${JSON.stringify(connection)})`,
      );
    }
    return connection;
  }
  if (connection !== null && typeof connection === 'object' && !Array.isArray(connection)) {
    return connection as RedisOptions;
  }
  throw new TypeError(
    `${what} is required: a URL such as 'redis://127.0.0.1:6379', or ioredis options such as { host, port, password, tls }`,
  );
}

/**
 * A Redis URL with TLS files added (`parapool-worker --tls-ca/--tls-cert/--tls-key`), as ioredis
 * options; the URL as it is when none is given. Files that cannot be read are an error naming the flag.
 */
export function withTls(url: string, files: { ca?: string; cert?: string; key?: string }): Connection {
  if (!files.ca && !files.cert && !files.key) return url;
  if (!url.startsWith('rediss://')) throw new TypeError('--tls-ca, --tls-cert and --tls-key need a rediss:// URL');
  if (Boolean(files.cert) !== Boolean(files.key)) throw new TypeError('--tls-cert and --tls-key go together');
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new TypeError(`${flag} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || '0');
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    tls: {
      ...(files.ca ? { ca: read('--tls-ca', files.ca) } : {}),
      ...(files.cert ? { cert: read('--tls-cert', files.cert) } : {}),
      ...(files.key ? { key: read('--tls-key', files.key) } : {}),
    },
  };
}

/**
 * A Redis client that waits through outages instead of failing commands
 * (`maxRetriesPerRequest: null`, what BullMQ requires): parapool bounds the
 * wait itself and says so when Redis stays unreachable.
 */
export function createClient(connection: Connection, name: string, { keepsProgramAlive = true } = {}): Redis {
  // Sentinels, or a connector of the user's own, connect their own way.
  const ownConnector = typeof connection === 'object' && (connection.sentinels || connection.Connector);
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: name,
    lazyConnect: false,
    // ioredis types it as its AbstractConnector, whose private fields no class outside it can declare.
    ...(!ownConnector && { Connector: SocketErrorSafeConnector as unknown as RedisOptions['Connector'] }),
  };
  const client =
    typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
  // Connection errors are reported through the pool's own timeouts; without a listener ioredis prints them.
  client.on('error', (error: Error) => lastErrors.set(client, error));
  client.on('ready', () => lastErrors.delete(client));
  if (!keepsProgramAlive) {
    // Each (re)connection is a new socket: none of them keeps the event loop alive.
    client.on('connect', () => (client as unknown as { stream?: { unref?(): void } }).stream?.unref?.());
  }
  return client;
}

/** Closes a client: politely if Redis answers within `ms`, else at once. */
export async function closeClient(client: Redis, ms = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await settlesWithin(client.quit(), ms);
  client.disconnect();
}

/** A connection as logs should show it: the URL without its password. */
export function describeConnection(connection: Connection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      if (url.password) url.password = '***';
      return url.href;
    } catch {
      return 'the given Redis URL';
    }
  }
  return `${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

const lastErrors = new WeakMap<Redis, Error>();

/** The last connection error of a client made by `createClient`, while it is not connected. */
export function lastConnectionError(client: Redis): Error | undefined {
  return lastErrors.get(client);
}

/** Node's codes for a TLS certificate that does not check out. */
const CERTIFICATE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/;

/**
 * What a connection error means if waiting cannot fix it (a wrong password, a user the ACL
 * does not allow, a certificate that does not match), in words that say what to do; else undefined.
 */
export function fatalConnectionProblem(error: Error | undefined): string | undefined {
  if (!error) return undefined;
  const { message } = error;
  const code = (error as { code?: unknown }).code;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return `Redis refused the credentials (${message.trim()}): check the user name and password in the connection`;
  }
  if (/NOPERM/.test(message)) {
    return `Redis's ACL refused this user a command or key (${message.trim()}): give the user the queue's keys and commands (see the README's security section)`;
  }
  if (typeof code === 'string' && CERTIFICATE.test(code)) {
    return `Redis's TLS certificate was refused (${code}: ${message.trim()}): pass the CA that signed it (ioredis option tls: { ca }) and connect by a name the certificate holds`;
  }
  if (/wrong version number|unknown protocol|packet length too long/i.test(message)) {
    return `The TLS handshake with Redis failed (${message.trim()}): use rediss:// only for a Redis that serves TLS, redis:// otherwise`;
  }
  return undefined;
}

/**
 * Resolves once `client` is connected; rejects after `ms` (or at once on a problem waiting cannot fix)
 * with an error that says where and why.
 */
export async function connected(client: Redis, connection: Connection, ms: number): Promise<void> {
  if (client.status === 'ready') return;
  const where = describeConnection(connection);
  let onError: ((error: Error) => void) | undefined;
  let refused: Error | undefined;
  const settled = await settlesWithin(
    new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      onError = (error) => {
        const problem = fatalConnectionProblem(error);
        if (problem) reject(new Error(`${where}: ${problem}`));
      };
      client.on('error', onError);
    }).catch((error: Error) => {
      refused = error;
    }),
    ms,
  );
  if (onError) client.off('error', onError);
  if (refused) throw refused;
  if (!settled) {
    const last = lastConnectionError(client);
    throw new Error(
      `Redis at ${where} could not be reached within ${ms} ms${last ? ` (${last.message})` : ''}: check the URL (host, port, redis:// or rediss://) and that redis-server runs there.`,
    );
  }
}
