/**
 * Faults, with real processes: a host SIGKILLed mid-map, a host joining mid-map,
 * a chunk that kills every host it runs on, a caller that dies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejectionOf, until } from '@parapool/conformance';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { type BullmqPool, createPool, WorkerCrashedError } from '../dist/index.js';
import { FAST_RECOVERY, type HostProcess, startHost } from './support/hosts.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const hosts: HostProcess[] = [];
const pools: BullmqPool[] = [];
const dirs: string[] = [];
let queues = 0;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-faults-'));
  dirs.push(dir);
  return dir;
}

async function host(queue: string, root: string, args: string[] = []): Promise<HostProcess> {
  const started = await startHost({ redis, queue, root, concurrency: 1, args: [...FAST_RECOVERY, ...args] });
  hosts.push(started);
  return started;
}

function pool(queue: string, options: { processes?: number; batchBelowMs?: number } = {}): BullmqPool {
  const created = createPool({ connection: redis, queue, root: CALLER_ROOT, ...options });
  created.on('hostLost', () => {}); // these tests kill hosts on purpose (else one line on stderr each)
  pools.push(created);
  return created;
}

/** The pids that ran item `i`, one per run. */
function runsOf(dir: string, i: number): number[] {
  const file = join(dir, `run-${i}`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

/** BullMQ's own recovery put out of reach (10 minutes): the pool's heartbeat watch is what recovers chunks. */
const NO_BULLMQ_RECOVERY = ['--lock-duration', '600000', '--stalled-interval', '600000'];

/** While true, the poison test restarts its host each time it dies. */
let supervising = false;
/** Processes a test started besides hosts (a caller). */
const others: ChildProcess[] = [];

afterEach(async () => {
  supervising = false;
  for (const child of others.splice(0)) child.kill('SIGKILL');
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
  await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const newQueue = () => `faults-${process.pid}-${++queues}`;

describe('faults', () => {
  it('a host SIGKILLed mid-map: the map completes with the right answer, each result once', async () => {
    const queue = newQueue();
    const [rootA, rootB] = [faultRoot('a'), faultRoot('b')];
    dirs.push(rootA, rootB);
    const a = await host(queue, rootA);
    const b = await host(queue, rootB);
    const p = pool(queue, { processes: 2 });
    const dir = tempDir();
    const args = Array.from({ length: 8 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
    // Both hosts hold a chunk that cannot finish before the gate opens; then A dies.
    const ranOn = (pid: number) => args.findIndex((_, i) => runsOf(dir, i).includes(pid));
    await until(() => ranOn(a.pid) >= 0 && ranOn(b.pid) >= 0, 20_000, 'a chunk on each host');
    const held = ranOn(a.pid);
    await a.kill('SIGKILL');
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(results.map((r) => r.i)).toEqual(args.map(([, i]) => i));
    // The chunk A held ran again on B, and counts once: its result is B's, as are all others.
    expect(runsOf(dir, held)).toEqual([a.pid, b.pid]);
    expect(results.every((r) => r.pid === b.pid)).toBe(true);
  });

  it('short chunks travel in batches; a host SIGKILLed holding a batch: its chunks run on the other host, each once, in order', async () => {
    const queue = newQueue();
    const [rootA, rootB] = [faultRoot('a'), faultRoot('b')];
    dirs.push(rootA, rootB);
    const a = await host(queue, rootA, NO_BULLMQ_RECOVERY);
    const b = await host(queue, rootB, NO_BULLMQ_RECOVERY);
    // Short means under batchBelowMs (default 5 ms): a loaded machine can take longer than that for the warm-up's
    // open gate, and the pool would rightly send every chunk alone; this test is about batches, so it sets the bound.
    const p = pool(queue, { processes: 16, batchBelowMs: 60_000 });
    // The task's chunks are first seen to run short (their gate open): then the pool sends them in batches.
    const warm = tempDir();
    writeFileSync(join(warm, 'gate'), '');
    const warmArgs = Array.from({ length: 16 }, (_, i) => [warm, i] as [string, number]);
    await p.starmap(faultTasks.gatedPerHost, warmArgs, { chunksize: 1 });
    const dir = tempDir();
    const args = Array.from({ length: 16 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedPerHost, args, { chunksize: 1 });
    mapped.catch(() => {}); // awaited below; should an assertion fail first, terminate() rejects it unheard
    const started = (pid: number) => args.some((_, i) => runsOf(dir, i).includes(pid));
    await until(() => started(a.pid) && started(b.pid), 20_000, 'a chunk begun on each host');
    // What the hosts hold: BullMQ jobs of several chunks each.
    const client = new Redis(redis);
    const sizes: number[] = [];
    for (const id of await client.lrange(`bull:${queue}:active`, 0, -1)) {
      const data = JSON.parse((await client.hget(`bull:${queue}:${id}`, 'data')) ?? '{}') as { batch?: unknown[] };
      sizes.push(data.batch?.length ?? 1);
    }
    client.disconnect();
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    // A dies with its batch begun (its first chunk waits for the gate): all of it runs again on B.
    await a.kill('SIGKILL');
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(results.every((r) => r.pid === b.pid)).toBe(true);
    // Each chunk finished exactly once (nothing finished on A before it died).
    for (const [, i] of args)
      expect(
        readFileSync(join(dir, `done-${i}`), 'utf8')
          .trim()
          .split('\n'),
      ).toEqual([`${b.pid}`]);
  });

  it('a host that joins mid-map takes the chunks waiting for a free host', async () => {
    const queue = newQueue();
    const [rootA, rootB] = [faultRoot('a'), faultRoot('b')];
    dirs.push(rootA, rootB);
    const a = await host(queue, rootA);
    const p = pool(queue, { processes: 2 }); // two chunks in flight, one host slot: one chunk waits in the queue
    const dir = tempDir();
    const args = Array.from({ length: 6 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
    await until(() => runsOf(dir, 0).length > 0, 20_000, 'the first chunk');
    const b = await host(queue, rootB);
    await until(() => runsOf(dir, 1).includes(b.pid), 20_000, 'the new host to take the waiting chunk');
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(results[0]?.pid).toBe(a.pid);
    expect(results[1]?.pid).toBe(b.pid);
  });

  it('with processes from the hosts, a host that joins while every chunk in flight is running gets a waiting chunk at once', async () => {
    const queue = newQueue();
    const [rootA, rootB] = [faultRoot('a'), faultRoot('b')];
    dirs.push(rootA, rootB);
    const a = await host(queue, rootA);
    const p = pool(queue); // no processes: one chunk in flight per announced host slot
    await p.ready();
    const dir = tempDir();
    const args = Array.from({ length: 4 }, (_, i) => [dir, i] as [string, number]);
    const mapped = p.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
    mapped.catch(() => {}); // awaited below; a failed wait must not also leave it unhandled
    await until(() => runsOf(dir, 0).length > 0, 20_000, 'the first chunk');
    // The only running chunk cannot end before the gate opens: the new host's chunk
    // must be handed over because the pool grew, not because a chunk ended.
    const b = await host(queue, rootB);
    await until(() => runsOf(dir, 1).includes(b.pid), 20_000, 'the new host to get the next chunk');
    writeFileSync(join(dir, 'gate'), '');
    const results = await mapped;
    expect(results.map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
    expect(results[0]?.pid).toBe(a.pid);
  });

  it('starmap chunks of 25,000 numeric argument lists (packed columns) run on a host and come back exact', async () => {
    const queue = newQueue();
    const root = faultRoot('big-chunk');
    dirs.push(root);
    await host(queue, root);
    const p = pool(queue, { processes: 1 });
    const args = Array.from(
      { length: 200_000 },
      (_, i) => [i, [1, 5, 7, 9, i % 10], 4, 8] as [number, number[], number, number],
    );
    // The host hands each chunk, decoded from its message, to its local pool (columns copied or moved there).
    const counts = await p.starmap(faultTasks.countWithin, args, { chunksize: 25_000 });
    expect(counts).toEqual(args.map(([i, row, lo, hi]) => [i, row.filter((x) => x >= lo && x <= hi).length]));
  });

  it('processes follows the announced concurrency as hosts come and go', async () => {
    const queue = newQueue();
    const [rootA, rootB] = [faultRoot('a'), faultRoot('b')];
    dirs.push(rootA, rootB);
    await host(queue, rootA);
    const p = pool(queue); // no processes: the hosts' announced total
    await p.ready();
    expect(p.processes).toBe(1);
    const b = await startHost({ redis, queue, root: rootB, concurrency: 2, args: FAST_RECOVERY });
    hosts.push(b);
    await until(() => p.processes === 3, 10_000, 'the pool to see the second host');
    expect(
      p
        .hosts()
        .map((h) => h.pid)
        .sort(),
    ).toEqual(hosts.map((h) => h.pid).sort());
    await b.stop();
    await until(() => p.processes === 1, 10_000, 'the pool to see the second host gone');
    expect(await p.map(faultTasks.identity, [1, 2, 3])).toEqual([1, 2, 3]);
  });

  it('a chunk that kills every host it runs on fails with WorkerCrashedError after a bounded number of attempts', async () => {
    const queue = newQueue();
    const root = faultRoot('poison');
    dirs.push(root);
    const dir = tempDir();
    // A supervisor (as systemd would) restarts the host each time the poison kills it.
    supervising = true;
    const supervise = async (current: HostProcess): Promise<void> => {
      await current.exited;
      if (supervising) void supervise(await host(queue, root, NO_BULLMQ_RECOVERY));
    };
    void supervise(await host(queue, root, NO_BULLMQ_RECOVERY));
    const p = pool(queue, { processes: 1 });
    const error = await rejectionOf(p.apply(faultTasks.killHost, [dir]));
    supervising = false;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toMatch(/lost \(its heartbeat stopped\) each of the 2 times it ran/);
    // maxHostLosses 1 (the default): sent again once, and never again. (On a loaded machine a host's
    // heartbeat can also lapse while it starts or runs, which counts as a loss too: so at most twice.)
    expect(readFileSync(join(dir, 'attempts'), 'utf8')).toMatch(/^xx?$/);
    // The pool (and a host) serve on.
    await until(() => hosts.some((h) => h.child.exitCode === null && h.child.signalCode === null), 20_000);
    expect(await p.apply(faultTasks.identity, ['still serving'])).toBe('still serving');
  });

  describe("with retries, a chunk whose host's worker died keeps the items that had ended: only the one running and those after it run again", () => {
    for (const backend of ['piscina', 'child-process']) {
      it(`on a host running ${backend} workers`, async () => {
        const queue = newQueue();
        const root = faultRoot(backend);
        dirs.push(root);
        await host(queue, root, ['--backend', backend]);
        const p = pool(queue, { processes: 1 });
        const dir = tempDir();
        const args = [0, 1, 2, 3, 4, 5].map((i) => [dir, i, 3, ''] as [string, number, number, string]);
        const values = await p.starmap(faultTasks.runOrDieOnce, args, { chunksize: 6, retries: 1 });
        expect(values).toEqual([0, 10, 20, 30, 40, 50]);
        expect(args.map((_, i) => runsOf(dir, i).length)).toEqual([1, 1, 1, 2, 1, 1]);
      });
    }

    it('of a chunk split into pieces by maxChunkBytes: the pieces that answered and the ended items of the one that died', async () => {
      const queue = newQueue();
      const root = faultRoot('pieces');
      dirs.push(root);
      await host(queue, root);
      const p = createPool({ connection: redis, queue, root: CALLER_ROOT, processes: 1, maxChunkBytes: 4096 });
      pools.push(p);
      const dir = tempDir();
      // About 1.5 KB an item: pieces [0, 1], [2], [3, 4], sent in order to the one host; item 4 dies once,
      // after item 3 of its piece has ended there, and after the pieces before it have answered.
      const args = [0, 1, 2, 3, 4].map((i) => [dir, i, 4, 'x'.repeat(1500)] as [string, number, number, string]);
      const values = await p.starmap(faultTasks.runOrDieOnce, args, { chunksize: 5, retries: 1 });
      expect(values).toEqual([0, 10, 20, 30, 40]);
      expect(args.map((_, i) => runsOf(dir, i).length)).toEqual([1, 1, 1, 1, 2]);
    });
  });

  it('a caller that dies: its waiting chunks expire instead of running, and its running one is stopped', async () => {
    const queue = newQueue();
    const root = faultRoot('caller');
    dirs.push(root);
    const h = await host(queue, root);
    const dir = tempDir();
    const caller = spawn(
      process.execPath,
      [join(CALLER_ROOT, 'test', 'fixtures', 'caller.mjs'), redis, queue, CALLER_ROOT, dir],
      {
        stdio: 'ignore',
      },
    );
    others.push(caller);
    const exited = new Promise((resolve) => caller.once('exit', resolve));
    await until(() => readdirSync(dir).length > 0, 20_000, 'the first chunk to start');
    caller.kill('SIGKILL');
    await exited;
    const connection = new Redis(redis, { maxRetriesPerRequest: null });
    const bull = new Queue(queue, { connection });
    try {
      // The host drops the caller's waiting chunks (its heartbeat expired after 1 s) and stops the running one.
      const deadline = Date.now() + 20_000;
      let counts = await bull.getJobCounts('waiting', 'active');
      while ((counts.waiting ?? 0) + (counts.active ?? 0) > 0) {
        if (Date.now() > deadline) throw new Error(`chunks still queued: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        counts = await bull.getJobCounts('waiting', 'active');
      }
    } finally {
      await bull.close();
      connection.disconnect();
    }
    // 6 chunks were submitted; only the one running when the caller died ever started.
    expect(readdirSync(dir)).toEqual(['run-0']);
    expect(h.log()).toMatch(/went silent/);
    // The host serves the next caller.
    const p = pool(queue, { processes: 1 });
    expect(await p.apply(faultTasks.identity, [42])).toBe(42);
  });
});
