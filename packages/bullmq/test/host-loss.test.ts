/**
 * Losing a host is fast and visible, and long waits say so early: a host that stops its
 * heartbeat has its chunks sent to the other hosts without waiting for BullMQ's lock (set
 * here to 10 minutes, so only the heartbeat can explain the recovery), with a `hostLost`
 * event; no host, an unreachable Redis, a wrong Redis URL on a host each say so early.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, until } from '@parapool/conformance';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type BullmqPool, createPool, type HostLostEvent, type WaitingEvent } from '../dist/index.js';
import { CLI, type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const hosts: HostProcess[] = [];
const pools: BullmqPool[] = [];
const dirs: string[] = [];
let queues = 0;
const newQueue = () => `loss-${process.pid}-${++queues}`;
/** BullMQ's own recovery of a dead host's job is put out of reach: 10 minutes. */
const NO_BULLMQ_RECOVERY = ['--lock-duration', '600000', '--stalled-interval', '600000', '--heartbeat', '300'];

afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
  await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});
afterAll(() => {
  for (const dir of dirs) removeRoot(dir);
});

async function host(queue: string): Promise<HostProcess> {
  const root = faultRoot('loss');
  dirs.push(root);
  const started = await startHost({ redis, queue, root, concurrency: 1, args: NO_BULLMQ_RECOVERY });
  hosts.push(started);
  return started;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-loss-'));
  dirs.push(dir);
  return dir;
}
function runsOf(dir: string, i: number): number[] {
  const file = join(dir, `run-${i}`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
}

describe('a lost host', () => {
  it('a host SIGKILLed mid-map: hostLost names it and the chunk it held, which runs on the other host; each result once', async () => {
    const queue = newQueue();
    const a = await host(queue);
    const b = await host(queue);
    const p = createPool({ connection: redis, queue, root: CALLER_ROOT, processes: 2 });
    pools.push(p);
    const lost: HostLostEvent[] = [];
    p.on('hostLost', (event) => lost.push(event));
    const dir = tempDir();
    const args = Array.from({ length: 6 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
    mapped.catch(() => {});
    const ranOn = (pid: number) => args.findIndex((_, i) => runsOf(dir, i).includes(pid));
    await until(() => ranOn(a.pid) >= 0 && ranOn(b.pid) >= 0, 20_000, 'a chunk on each host');
    const held = ranOn(a.pid);
    await a.kill('SIGKILL');
    await until(() => lost.length > 0, 60_000, 'the hostLost event');
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.host.pid).toBe(a.pid);
    expect(lost[0]?.host.host).toBeTruthy();
    expect(lost[0]?.chunks).toHaveLength(1);
    expect(lost[0]?.message).toMatch(/1 chunk\(s\) of this pool it held were sent to the other hosts/);
    // The chunk A held ran again on B (BullMQ would not have given it back for 10 minutes).
    expect(runsOf(dir, held)).toEqual([a.pid, b.pid]);
    expect(results.every((r) => r.pid === b.pid)).toBe(true);
  });

  it('a host that stops gracefully is not reported lost', async () => {
    const queue = newQueue();
    const a = await host(queue);
    await host(queue);
    const p = createPool({ connection: redis, queue, root: CALLER_ROOT });
    pools.push(p);
    const lost: HostLostEvent[] = [];
    p.on('hostLost', (event) => lost.push(event));
    await p.ready();
    expect(p.processes).toBe(2);
    await a.stop();
    await until(() => p.processes === 1, 20_000, 'the pool to see the host gone');
    expect(await p.map(faultTasks.identity, [1, 2])).toEqual([1, 2]);
    expect(lost).toEqual([]);
  });
});

describe('long waits say so early', () => {
  it('no host: a waiting event (reason no-host) long before NoHostsError', async () => {
    const p = createPool({ connection: redis, queue: newQueue(), root: CALLER_ROOT, hostTimeout: 600_000 });
    pools.push(p);
    const said = new Promise<WaitingEvent>((resolve) => p.once('waiting', resolve));
    p.map(faultTasks.identity, [1]).catch(() => {});
    const event = await said;
    expect(event.reason).toBe('no-host');
    expect(event.message).toMatch(/no parapool-worker serves .* start one \(npx parapool-worker/);
  });

  it('an unreachable Redis: a waiting event (reason redis) with the connection error, before RedisUnavailableError', async () => {
    const port = await freePort();
    const p = createPool({
      connection: `redis://127.0.0.1:${port}`,
      queue: newQueue(),
      root: CALLER_ROOT,
      redisTimeout: 600_000,
    });
    pools.push(p);
    const said = new Promise<WaitingEvent>((resolve) => p.once('waiting', resolve));
    p.apply(faultTasks.identity, [1]).catch(() => {});
    const event = await said;
    expect(event.reason).toBe('redis');
    expect(event.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
  });

  it('a chunk waiting for a free host: a waiting event (reason chunk) while the one slot is busy', async () => {
    const queue = newQueue();
    await host(queue);
    // hostTimeout 4 s: a waiting chunk is said after a quarter of it (and only once it was checked, after 3 s).
    const p = createPool({ connection: redis, queue, root: CALLER_ROOT, processes: 2, hostTimeout: 4000 });
    pools.push(p);
    const said = new Promise<WaitingEvent>((resolve) => p.once('waiting', resolve));
    const dir = tempDir();
    const mapped = p.starmap(faultTasks.gatedSquare, [[dir, 0] as [string, number], [dir, 1] as [string, number]], {
      chunksize: 1,
    });
    mapped.catch(() => {});
    const event = await said;
    expect(event.reason).toBe('chunk');
    expect(event.message).toMatch(/a chunk has waited \d+ s in queue '.*' for a free host \(1 host\(s\), 1 slot\(s\)/);
    writeFileSync(join(dir, 'gate'), '');
    expect((await mapped).map((r) => r.square)).toEqual([0, 1]);
  });

  it('a program that listens to nothing gets one line on stderr', async () => {
    const script = join(CALLER_ROOT, 'test', 'fixtures', 'waiting-caller.mjs');
    const child = spawn(process.execPath, [script, redis, newQueue(), CALLER_ROOT], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    try {
      await until(() => stderr.includes('\n'), 60_000, 'a line on stderr');
      // It says it once, not on every tick, nor again once a chunk has waited long (10 s: the first line
      // comes after 5 s of no host, and a chunk waiting for a host is that same wait).
      await new Promise((resolve) => setTimeout(resolve, 7000));
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^parapool: no parapool-worker serves/);
  });

  it('a host given a Redis nobody serves exits 1 saying where and why, within --connect-timeout', async () => {
    const port = await freePort();
    const root = faultRoot('nowhere');
    dirs.push(root);
    const run = promisify(execFile)(
      process.execPath,
      [CLI, '--redis', `redis://127.0.0.1:${port}`, '--queue', 'q', '--root', root, '--connect-timeout', '1000'],
      { timeout: 60_000 },
    );
    const error = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stderr: string } | undefined;
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(
      new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port} could not be reached within 1000 ms \\(.*ECONNREFUSED`),
    );
  });
});
