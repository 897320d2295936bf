import { Redis, type RedisOptions } from 'ioredis';

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
 * A Redis client that waits through outages instead of failing commands
 * (`maxRetriesPerRequest: null`, what BullMQ requires): parapool bounds the
 * wait itself and says so when Redis stays unreachable.
 */
export function createClient(connection: Connection, name: string, { keepsProgramAlive = true } = {}): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false };
  const client =
    typeof connection === 'string' ? new Redis(connection, options) : new Redis({ ...connection, ...options });
  // Connection errors are reported through the pool's own timeouts; without a listener ioredis prints them.
  client.on('error', () => {});
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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([
    client.quit().then(
      () => {},
      () => {},
    ),
    timeout,
  ]);
  clearTimeout(timer);
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
