/** A host's life: what it announces, a graceful SIGTERM, handing chunks back, other local backends. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, rejectionOf, until } from '@parapool/conformance';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import { type BullmqPool, createPool, WorkerCrashedError } from '../dist/index.js';
import { FAST_RECOVERY, type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const hosts: HostProcess[] = [];
const pools: BullmqPool[] = [];
const dirs: string[] = [];
let queues = 0;
const newQueue = () => `lifecycle-${process.pid}-${++queues}`;

async function host(queue: string, options: { concurrency?: number; backend?: string; args?: string[] } = {}) {
  const root = faultRoot('life');
  dirs.push(root);
  const started = await startHost({
    redis,
    queue,
    root,
    ...options,
    args: [...FAST_RECOVERY, ...(options.args ?? [])],
  });
  hosts.push(started);
  return started;
}
function pool(queue: string, processes?: number): BullmqPool {
  const created = createPool({ connection: redis, queue, root: CALLER_ROOT, ...(processes ? { processes } : {}) });
  pools.push(created);
  return created;
}
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-life-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
  await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});
afterAll(() => {
  for (const dir of dirs) removeRoot(dir);
});

it('a host announces its machine, pid, concurrency and a heartbeat; processes defaults to their total', async () => {
  const queue = newQueue();
  const a = await host(queue, { concurrency: 2 });
  const b = await host(queue, { concurrency: 1 });
  const p = pool(queue);
  await p.ready();
  expect(p.processes).toBe(3);
  const announced = [...p.hosts()].sort((x, y) => x.pid - y.pid);
  expect(announced.map((h) => [h.pid, h.concurrency])).toEqual(
    [
      [a.pid, 2],
      [b.pid, 1],
    ].sort((x, y) => (x[0] as number) - (y[0] as number)),
  );
  for (const h of announced) {
    expect(h.host.length).toBeGreaterThan(0);
    expect(h.backend).toBe('piscina');
    expect(h.heartbeat).toBeGreaterThanOrEqual(h.started);
  }
});

it('with no host up yet, processes is this machine’s cpuCount() until hosts announce themselves', async () => {
  const { cpuCount } = await import('../dist/index.js');
  const p = pool(newQueue());
  await p.ready();
  expect(p.hosts()).toEqual([]);
  expect(p.processes).toBe(cpuCount());
});

it('SIGTERM: the host finishes its running chunk, withdraws its announcement and exits 0', async () => {
  const queue = newQueue();
  const h = await host(queue);
  const p = pool(queue, 1);
  const dir = tempDir();
  const call = p.apply(faultTasks.gatedSquare, [dir, 7]);
  await until(() => existsSync(join(dir, 'run-7')), 20_000, 'the chunk to start');
  h.child.kill('SIGTERM');
  await until(() => h.log().includes('stopping; 1 running chunk(s)'), 10_000, 'the host to start stopping');
  writeFileSync(join(dir, 'gate'), '');
  expect(await call).toEqual({ i: 7, square: 49, pid: h.pid });
  expect(await h.exited).toBe(0);
  await until(() => !p.hosts().some((x) => x.pid === h.pid), 10_000, 'the announcement to go');
});

it('SIGTERM with --grace 0: the running chunk is handed back and another host runs it', async () => {
  const queue = newQueue();
  const a = await host(queue, { args: ['--grace', '0'] });
  const p = pool(queue, 1);
  const dir = tempDir();
  const call = p.apply(faultTasks.gatedSquare, [dir, 3]);
  await until(() => existsSync(join(dir, 'run-3')), 20_000, 'the chunk to start on A');
  expect(await a.stop()).toBe(0);
  expect(a.log()).toMatch(/handing 1 running chunk\(s\) back/);
  const b = await host(queue);
  writeFileSync(join(dir, 'gate'), '');
  expect(await call).toEqual({ i: 3, square: 9, pid: b.pid });
  expect(readFileSync(join(dir, 'run-3'), 'utf8').trim().split('\n').map(Number)).toEqual([a.pid, b.pid]);
});

it('--backend child-process: chunks run in processes of their own; an exit fails only its chunk', async () => {
  const queue = newQueue();
  const h = await host(queue, { backend: 'child-process', concurrency: 1 });
  const p = pool(queue, 1);
  const pid = await p.apply(faultTasks.pid);
  expect(pid).not.toBe(h.pid);
  expect(pid).not.toBe(process.pid);
  const error = await rejectionOf(p.apply(faultTasks.exit, [9]));
  expect(error).toBeInstanceOf(WorkerCrashedError);
  expect((error as WorkerCrashedError).exitCode).toBe(9);
  expect(await p.apply(faultTasks.identity, ['after'])).toBe('after');
});

it('--backend child-process: a host SIGKILLed while its workers spin in `for (;;);` leaves no orphan behind', async () => {
  const queue = newQueue();
  const h = await host(queue, { backend: 'child-process', concurrency: 2 });
  const p = pool(queue, 2);
  const dir = tempDir();
  p.map(faultTasks.spinAndTell, [dir, dir], { chunksize: 1 }).catch(() => {});
  const spinning = () => readdirSync(dir).filter((name) => name.startsWith('spin-'));
  await until(() => spinning().length === 2, 30_000, "both of the host's workers to spin");
  const workers = spinning().map((name) => Number(name.slice('spin-'.length)));
  // The host's own local workers, not the host itself.
  for (const pid of workers)
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]).toBe(String(h.pid));
  await h.kill('SIGKILL');
  try {
    // A bound against a hang, not a speed: they end within about 0.2 s of their parent.
    await until(() => !workers.some(isRunning), 15_000, "the dead host's spinning workers to end");
  } finally {
    for (const pid of workers) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
});
