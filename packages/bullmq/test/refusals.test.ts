/**
 * Bad input gets a clear error, never a hang: task modules a host must refuse,
 * inline functions without --allow-inline, a queue nobody serves, an
 * unreachable Redis, bad options and bad flags.
 */
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deserialize } from 'node:v8';
import { freePort, rejectionOf } from '@parapool/conformance';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type BullmqPool,
  createPool,
  NoHostsError,
  RedisUnavailableError,
  TaskResolutionError,
} from '../dist/index.js';
import { WIRE_VERSION } from '../dist/shared/wire.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { PACKAGE, removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks, otherTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const pools: BullmqPool[] = [];
const pool = (options: Partial<Parameters<typeof createPool>[0]> = {}) => {
  const created = createPool({ connection: redis, queue: 'strict', root: CALLER_ROOT, ...options });
  created.on('waiting', () => {}); // the early notices of the waits these tests cause (else one line on stderr)
  pools.push(created);
  return created;
};
afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
});

describe('a host refuses, and the caller hears why', () => {
  let host: HostProcess;
  let root: string;
  beforeAll(async () => {
    // A host without --allow-inline, whose copy of fault-tasks.js differs from the caller's
    // by one comment, and which has no copy of other-tasks.js.
    root = faultRoot('strict');
    appendFileSync(join(root, 'test', 'fixtures', 'fault-tasks.js'), '\n// deployed from another commit\n');
    host = await startHost({ redis, queue: 'strict', root, concurrency: 1 });
  });
  afterAll(async () => {
    await host.stop();
    removeRoot(root);
  });

  it('a task module whose content differs on the host (version skew)', async () => {
    const error = await rejectionOf(pool().apply(faultTasks.identity, [1]));
    expect(error).toBeInstanceOf(TaskResolutionError);
    expect(error.message).toMatch(/test\/fixtures\/fault-tasks\.js differs/);
    expect(error.message).toMatch(/same version of the code on every host/);
  });

  it('a task module missing on the host', async () => {
    const error = await rejectionOf(pool().map(otherTasks.double, [1, 2]));
    expect(error).toBeInstanceOf(TaskResolutionError);
    expect(error.message).toMatch(/test\/fixtures\/other-tasks\.js was not found/);
  });

  it('an inline function, without --allow-inline', async () => {
    const error = await rejectionOf(pool().map((n: number) => n + 1, [1]));
    expect(error).toBeInstanceOf(TaskResolutionError);
    expect(error.message).toMatch(/refuses inline functions/);
    expect(error.message).toMatch(/--allow-inline/);
  });

  /** Sends a raw chunk as another caller would, and reads the host's report from that caller's stream. */
  async function rawChunk(data: Record<string, unknown>): Promise<{ error?: { message: string } }> {
    const client = new Redis(redis, { maxRetriesPerRequest: null });
    const queue = new Queue('strict', { connection: client });
    const poolId = `raw${process.pid}${Math.random().toString(36).slice(2, 8)}`;
    try {
      await client.set(`bull:strict:pp:pool:${poolId}`, '{}', 'PX', 30_000);
      await queue.add(
        'raw',
        { pool: poolId, node: process.versions.node, ttl: 60_000, ...data },
        { jobId: `${poolId}.1` },
      );
      const reply = (await client.xreadBuffer(
        'BLOCK',
        20_000,
        'STREAMS',
        `bull:strict:pp:results:${poolId}`,
        '0-0',
      )) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      const fields = reply?.[0]?.[1][0]?.[1] ?? [];
      return deserialize(fields[fields.findIndex((f) => f.toString() === 'r') + 1] as Buffer);
    } finally {
      await queue.close();
      client.disconnect();
    }
  }

  it('a chunk in another wire format (another @parapool/bullmq version)', async () => {
    const report = await rawChunk({ w: 99, body: '' });
    expect(report.error?.message).toMatch(/wire format 99.*same @parapool\/bullmq version/);
  });

  it('a chunk its Node.js cannot read (the v8 format of another Node version)', async () => {
    const report = await rawChunk({
      w: WIRE_VERSION,
      node: '99.0.0',
      body: Buffer.from([0xff, 0x7f, 0x00]).toString('base64'),
    });
    expect(report.error?.message).toMatch(/written by Node\.js 99\.0\.0.*same Node\.js major version/);
  });

  it('the host serves on after refusing', async () => {
    expect(host.child.exitCode).toBe(null);
    expect(host.log()).not.toMatch(/Error/);
  });
});

describe('the caller refuses before sending', () => {
  it('a task module outside the pool root', async () => {
    const p = pool({ root: join(PACKAGE, 'src') });
    const error = await rejectionOf(p.apply(faultTasks.identity, [1]));
    expect(error).toBeInstanceOf(TaskResolutionError);
    expect(error.message).toMatch(/outside the pool's root/);
  });

  it('a root that does not exist', () => {
    expect(() => pool({ root: join(PACKAGE, 'no-such-folder') })).toThrow(/does not exist/);
  });

  it('a missing or malformed connection, queue, or numeric option', () => {
    expect(() => createPool({ queue: 'q' } as never)).toThrow(/connection is required/);
    expect(() => createPool({ connection: 'http://x', queue: 'q' })).toThrow(/redis:\/\//);
    expect(() => createPool({ connection: redis } as never)).toThrow(/queue must be/);
    expect(() => createPool({ connection: redis, queue: 'a:b' })).toThrow(/without ':'/);
    expect(() => createPool({ connection: redis, queue: 'q', maxChunkBytes: 10 })).toThrow(RangeError);
    expect(() => createPool({ connection: redis, queue: 'q', processes: 0 })).toThrow(RangeError);
    expect(() => createPool({ connection: redis, queue: 'q', batchBelowMs: -1 })).toThrow(
      /batchBelowMs must be a number ≥ 0/,
    );
  });
});

describe('waiting has a bound', () => {
  it('a queue no host serves: NoHostsError after hostTimeout, saying what to start', async () => {
    const p = pool({ queue: 'nobody-serves-this', hostTimeout: 1000 });
    const error = await rejectionOf(p.map(faultTasks.identity, [1, 2]));
    expect(error).toBeInstanceOf(NoHostsError);
    expect(error.message).toMatch(/npx parapool-worker --redis <url> --queue nobody-serves-this/);
  });

  it('a Redis that cannot be reached: RedisUnavailableError after redisTimeout', async () => {
    const port = await freePort();
    const p = pool({ connection: `redis://127.0.0.1:${port}`, redisTimeout: 1000 });
    const error = await rejectionOf(p.apply(faultTasks.identity, [1]));
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toMatch(/could not be reached/);
    await p.terminate();
  });
});

describe('parapool-worker refuses bad flags', () => {
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(PACKAGE, 'dist', 'cli.js'), ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('exits 2 with a message that names the flag and the usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--queue', 'q'], /--redis is required/],
      [['--redis', redis], /--queue is required/],
      [['--redis', 'localhost', '--queue', 'q'], /redis:\/\//],
      [['--redis', redis, '--queue', 'q', '--concurrency', '0'], /--concurrency must be an integer ≥ 1/],
      [['--redis', redis, '--queue', 'q', '--backend', 'nope'], /--backend must be one of/],
      [['--redis', redis, '--queue', 'q', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toMatch(/usage: parapool-worker/);
    }
  });
});
