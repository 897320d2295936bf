/**
 * Hosts on their own network: each host runs in a Linux network namespace of its own,
 * reaching Redis over a veth link (2 ms of netem latency each way), as hosts on other
 * machines would. A host's link is cut mid-map and restored: the map completes, in order,
 * nothing lost or counted twice, and the cut-off host, back, does not deliver its stale result.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@parapool/conformance';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BullmqPool, createPool, type HostLostEvent } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { cannotMakeNamespaces, delayingRelay, hasNetem, makeNetwork, type NetnsHostLink } from './support/netns.js';
import { type RedisServer, startRedis } from './support/redis-server.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const unable = cannotMakeNamespaces();
const netem = unable === undefined && hasNetem();
/** Latency each way on each host's link: tc netem, or (a kernel without netem) a relay that holds the bytes. */
const LATENCY = `2 ms latency (${netem ? 'netem' : 'a delaying relay: this kernel has no netem'})`;
/** BullMQ's own recovery put out of reach: only the heartbeat watch moves chunks. */
const HOST_FLAGS = ['--heartbeat', '300', '--lock-duration', '600000', '--stalled-interval', '600000'];

describe.skipIf(unable !== undefined)(`hosts in network namespaces${unable ? ` (skipped: ${unable})` : ''}`, () => {
  let network: { links: NetnsHostLink[]; remove(): void };
  let redis: RedisServer;
  /** The port each host reaches Redis at on its gateway (Redis's own, or its relay's). */
  const ports = new Map<NetnsHostLink, number>();
  const relays: Array<{ close(): Promise<void> }> = [];
  const hosts: HostProcess[] = [];
  const pools: BullmqPool[] = [];
  const dirs: string[] = [];
  let queues = 0;
  const newQueue = () => `netns-${process.pid}-${++queues}`;

  beforeAll(async () => {
    network = makeNetwork(2, 2, netem);
    try {
      redis = await startRedis({ bind: network.links.map((link) => link.gateway) });
      for (const link of network.links) {
        if (netem) ports.set(link, redis.port);
        else {
          const relay = await delayingRelay(link.gateway, redis.port, 2);
          relays.push(relay);
          ports.set(link, relay.port);
        }
      }
    } catch (error) {
      network.remove();
      throw error;
    }
  });
  afterEach(async () => {
    for (const link of network.links) link.restore();
    await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
    await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
  });
  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.close()));
    await redis?.dispose();
    network?.remove();
    for (const dir of dirs) removeRoot(dir);
  });

  async function host(queue: string, link: NetnsHostLink): Promise<HostProcess> {
    const root = faultRoot('netns');
    dirs.push(root);
    const started = await startHost({
      redis: `redis://${link.gateway}:${ports.get(link)}`,
      queue,
      root,
      concurrency: 1,
      args: HOST_FLAGS,
      wrap: (command, args) => link.command(command, args),
    });
    hosts.push(started);
    return started;
  }
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'parapool-netns-'));
    dirs.push(dir);
    return dir;
  }
  const runsOf = (dir: string, file: string) =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').map(Number) : [];

  it(`a map over two hosts, each on its own link with ${LATENCY}, runs on both, in order`, async () => {
    const queue = newQueue();
    const [a, b] = [
      await host(queue, network.links[0] as NetnsHostLink),
      await host(queue, network.links[1] as NetnsHostLink),
    ];
    const p = createPool({ connection: redis.url, queue, root: CALLER_ROOT });
    pools.push(p);
    await p.ready();
    expect(p.processes).toBe(2);
    const dir = tempDir();
    const args = Array.from({ length: 40 }, (_, i) => [dir, i, 20] as [string, number, number]);
    const results = await p.starmap(faultTasks.recordSquare, args, { chunksize: 2 });
    expect(results.map((r) => r.i)).toEqual(args.map(([, i]) => i));
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(new Set(results.map((r) => r.pid))).toEqual(new Set([a.pid, b.pid]));
  });

  it("a host's link cut mid-map, then restored: its chunk runs again as a new job, counted once; its stale result is not delivered", async () => {
    const queue = newQueue();
    const [linkA, linkB] = network.links as [NetnsHostLink, NetnsHostLink];
    const a = await host(queue, linkA);
    const b = await host(queue, linkB);
    const p = createPool({ connection: redis.url, queue, root: CALLER_ROOT, processes: 2 });
    pools.push(p);
    const lost: HostLostEvent[] = [];
    p.on('hostLost', (event) => lost.push(event));
    const dir = tempDir();
    const args = Array.from({ length: 6 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedPerHost, args, { chunksize: 1 });
    mapped.catch(() => {});
    const ranOn = (pid: number) => args.findIndex((_, i) => runsOf(dir, `run-${i}`).includes(pid));
    await until(() => ranOn(a.pid) >= 0 && ranOn(b.pid) >= 0, 30_000, 'a chunk on each host');
    const held = ranOn(a.pid);

    linkA.cut();
    await until(() => lost.length > 0, 60_000, 'the pool to see host A lost');
    expect(lost[0]?.host.pid).toBe(a.pid);
    expect(lost[0]?.chunks).toHaveLength(1);
    // A, cut off, finishes its chunk: its report waits for the link.
    writeFileSync(join(dir, `gate-${a.pid}`), '');
    await until(() => runsOf(dir, `done-${held}`).includes(a.pid), 30_000, 'A to finish its chunk');
    const restored = Date.now();
    linkA.restore();
    // A is back: it announces itself again (after the report it held, on the same connection).
    await until(
      () => p.hosts().some((h) => h.pid === a.pid && h.heartbeat > restored + 300),
      60_000,
      'A to announce itself again',
    );
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.i)).toEqual(args.map(([, i]) => i));
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    // The held chunk ran twice: on A, cut off (that result refused), then again as a new job, on
    // whichever host was free first (A itself, back, or B); the result delivered is the second run's.
    expect(runsOf(dir, `run-${held}`)).toHaveLength(2);
    expect(runsOf(dir, `run-${held}`)[0]).toBe(a.pid);
    expect(results[held]?.run).toBe(2);
    expect(results.filter((_, i) => i !== held).every((r) => r.run === 1)).toBe(true);
    expect(lost).toHaveLength(1);
  });
});
