/**
 * Redis with TLS (a CA made by the test with openssl) and an ACL user limited to the queue's
 * keys and the commands parapool and BullMQ use: a map runs over it; a wrong password or a
 * certificate from another CA is a clear error at once, on the caller and on a host, never a hang.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { rejectionOf } from '@parapool/conformance';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BullmqPool, createPool, RedisUnavailableError } from '../dist/index.js';
import { createClient } from '../dist/shared/redis-client.js';
import { CLI, type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';
import { type Certificates, makeCertificates, startTlsRedis, type TlsRedis } from './support/tls.js';

const QUEUE = 'sec';
const USER = { username: 'parapool', password: 'pp-secret' };
const ADMIN = { username: 'admin', password: 'admin-secret' };
/**
 * The ACL of the README's security section, for the queue 'sec' under BullMQ's prefix 'bull': the
 * queue's keys and channel, and the commands parapool and BullMQ (its Lua scripts included) use.
 */
const PARAPOOL_ACL = [
  `user ${USER.username} on >${USER.password} resetkeys ~bull:${QUEUE}:* resetchannels &bull:${QUEUE}:* -@all`,
  // connection, scripts, transactions, pub/sub, blocking reads
  '+auth +hello +ping +quit +select +info +client|setname +evalsha +eval +script|load',
  '+multi +exec +discard +publish +subscribe +unsubscribe +bzpopmin +xread',
  // keys, strings, hashes, lists, sets, sorted sets, streams (parapool's and BullMQ's scripts')
  '+del +unlink +exists +type +rename +persist +pexpire +pexpireat +pttl +time',
  '+get +set +mget +incr +incrby',
  '+hdel +hexists +hget +hgetall +hincrby +hlen +hmget +hmset +hset',
  '+lindex +llen +lpop +lpos +lpush +lrange +lrem +lset +ltrim +rpop +rpoplpush +rpush',
  '+sadd +scard +sismember +smembers +srem',
  '+zadd +zcard +zcount +zlexcount +zpopmin +zrange +zrangebylex +zrangebyscore +zrem +zremrangebyrank',
  '+zremrangebyscore +zrevrange +zrevrangebyscore +zscore',
  '+xadd +xdel +xlen +xrange +xtrim',
].join(' ');

describe('TLS and an ACL user', () => {
  let certs: Certificates;
  let redis: TlsRedis;
  const hosts: HostProcess[] = [];
  const pools: BullmqPool[] = [];
  const roots: string[] = [];

  beforeAll(async () => {
    certs = makeCertificates();
    redis = await startTlsRedis(
      certs,
      ['user default off', `user ${ADMIN.username} on >${ADMIN.password} ~* &* +@all`, PARAPOOL_ACL, ''].join('\n'),
      ADMIN,
    );
  });
  afterEach(async () => {
    await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
    await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
  });
  afterAll(async () => {
    await redis?.dispose();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
    for (const root of roots) removeRoot(root);
  });

  const url = (user = USER) => `rediss://${user.username}:${user.password}@localhost:${redis.port}`;
  const connection = (ca: string, user = USER) => ({
    host: 'localhost',
    port: redis.port,
    ...user,
    tls: { ca: readFileSync(ca) },
  });
  function root(): string {
    const made = faultRoot('tls');
    roots.push(made);
    return made;
  }
  /** Runs parapool-worker to its exit (for hosts that must refuse to start). */
  const runHost = (args: string[]) =>
    promisify(execFile)(
      process.execPath,
      [CLI, '--queue', QUEUE, '--root', root(), '--connect-timeout', '60000', ...args],
      {
        timeout: 60_000,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('a map runs over TLS with a user limited to the queue: nothing it does is refused, and it can do nothing else', async () => {
    const host = await startHost({ redis: url(), queue: QUEUE, root: root(), args: ['--tls-ca', certs.ca] });
    hosts.push(host);
    const p = createPool({ connection: connection(certs.ca), queue: QUEUE, root: CALLER_ROOT });
    pools.push(p);
    expect(await p.map(faultTasks.identity, [1, 2, 3, 4], { chunksize: 1 })).toEqual([1, 2, 3, 4]);
    expect(await p.apply(faultTasks.pid)).toBe(host.pid);
    await p.close();
    await host.stop();
    // Nothing was refused (the log names what was, if anything).
    expect(await redis.aclLog()).toEqual([]);
    const client = new Redis({ ...connection(certs.ca), maxRetriesPerRequest: 1 });
    try {
      await expect(client.get('another-app:key')).rejects.toThrow(/NOPERM/);
      await expect(client.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
    }
  });

  it('a wrong password: the caller fails at once with RedisUnavailableError saying so (not after redisTimeout)', async () => {
    const p = createPool({
      connection: connection(certs.ca, { ...USER, password: 'wrong' }),
      queue: QUEUE,
      root: CALLER_ROOT,
      redisTimeout: 600_000,
    });
    pools.push(p);
    const error = await rejectionOf(p.apply(faultTasks.identity, [1]));
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toMatch(/refused the credentials \(WRONGPASS/);
    await expect(p.ready()).rejects.toThrow(/refused the credentials/);
  });

  it('a wrong password: a host exits 1 saying so', async () => {
    const { code, stderr } = await runHost(['--redis', url({ ...USER, password: 'wrong' }), '--tls-ca', certs.ca]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/refused the credentials \(WRONGPASS/);
  });

  it('a certificate from another CA: the caller fails at once saying so', async () => {
    const p = createPool({
      connection: connection(certs.otherCa),
      queue: QUEUE,
      root: CALLER_ROOT,
      redisTimeout: 600_000,
    });
    pools.push(p);
    const error = await rejectionOf(p.apply(faultTasks.identity, [1]));
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toMatch(/TLS certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it("a connection closed while Redis's certificate is being refused: no uncaught exception in the caller's process", async () => {
    // ioredis listens for a socket's first error only; the refusal is one, the server's alert after it another.
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const closedWhileConnecting = () =>
        new Promise<void>((closed) => {
          const client = createClient(connection(certs.otherCa), 'parapool:test');
          let refusals = 0;
          client.on('error', () => refusals++);
          // A reconnection after a refusal: closed once its socket is open, while the handshake goes on.
          client.on('connecting', () => {
            if (refusals === 0) return;
            setImmediate(() => {
              client.disconnect();
              setTimeout(closed, 200);
            });
          });
        });
      for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 10 }, closedWhileConnecting));
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
  });

  it('a certificate from another CA, or none: a host exits 1 saying so', async () => {
    for (const args of [['--tls-ca', certs.otherCa], []]) {
      const { code, stderr } = await runHost(['--redis', url(), ...args]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/TLS certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN/);
    }
  });
});
