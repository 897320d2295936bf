/**
 * TLS and ACLs for tests: a CA made here with openssl (and a second one that signed nothing
 * Redis has), a server certificate for localhost and 127.0.0.1, and a redis-server serving TLS
 * only, with an ACL file of the test's own.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@parapool/conformance';
import { Redis } from 'ioredis';

export interface Certificates {
  readonly dir: string;
  /** The CA that signed the server's certificate (PEM file). */
  readonly ca: string;
  /** A CA that signed nothing here. */
  readonly otherCa: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'ignore' });

/** Makes two CAs and a server certificate (localhost, 127.0.0.1) signed by the first. */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-tls-'));
  for (const name of ['ca', 'other-ca']) {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-subj',
        `/CN=parapool test ${name}`,
      ],
      dir,
    );
  }
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'],
    dir,
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    otherCa: join(dir, 'other-ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

export interface TlsRedis {
  readonly port: number;
  /** The ACL log (what the ACL refused). */
  aclLog(): Promise<unknown[]>;
  dispose(): Promise<void>;
}

/** A redis-server serving TLS only on a free port, with `acl` as its ACL file; `admin` is a user of the file with every right. */
export async function startTlsRedis(
  certs: Certificates,
  acl: string,
  admin: { username: string; password: string },
): Promise<TlsRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-tls-redis-'));
  const port = await freePort();
  writeFileSync(join(dir, 'users.acl'), acl);
  const log = join(dir, 'redis.log');
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      certs.serverCert,
      '--tls-key-file',
      certs.serverKey,
      '--tls-ca-cert-file',
      certs.ca,
      '--tls-auth-clients',
      'no',
      '--aclfile',
      join(dir, 'users.acl'),
      '--dir',
      dir,
      '--save',
      '',
      '--logfile',
      log,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminClient = () =>
    new Redis({
      host: 'localhost',
      port,
      ...admin,
      tls: { ca: readFileSync(certs.ca) },
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = adminClient();
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') break;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server with TLS did not start: ${readFileSync(log, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    async aclLog() {
      const client = adminClient();
      client.on('error', () => {});
      try {
        await client.connect();
        return (await client.call('ACL', 'LOG')) as unknown[];
      } finally {
        client.disconnect();
      }
    },
    async dispose() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
