/** `parapool-worker --metrics <port>`: Prometheus metrics, scraped over HTTP as Prometheus would. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejectionOf, until } from '@parapool/conformance';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import { type BullmqPool, createPool, WorkerCrashedError } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot, faultTasks } from './support/tasks.js';

const redis = inject('redisUrl');
const hosts: HostProcess[] = [];
const pools: BullmqPool[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.allSettled(pools.splice(0).map((p) => p.terminate()));
  await Promise.allSettled(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});
afterAll(() => {
  for (const dir of dirs) removeRoot(dir);
});

async function host(queue: string, args: string[] = []): Promise<HostProcess> {
  const root = faultRoot('metrics');
  dirs.push(root);
  const started = await startHost({ redis, queue, root, args: ['--heartbeat', '300', ...args] });
  hosts.push(started);
  return started;
}

/** The value of one sample of a scrape (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('a host with --metrics serves chunks run, failed and retried, busy workers, queue depth and per-task timings', async () => {
  const queue = `metrics-${process.pid}`;
  const a = await host(queue);
  const b = await host(queue, ['--metrics', '0']);
  const port = Number(/metrics on port (\d+)/.exec(b.log())?.[1]);
  expect(port).toBeGreaterThan(0);
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };
  const p = createPool({ connection: redis, queue, root: CALLER_ROOT, processes: 2 });
  p.on('hostLost', () => {});
  pools.push(p);
  const dir = mkdtempSync(join(tmpdir(), 'parapool-metrics-'));
  dirs.push(dir);
  const args = Array.from({ length: 6 }, (_, i) => [dir, i] as [string, number]);
  const mapped = p.starmap(faultTasks.gatedSquare, args, { chunksize: 1 });
  mapped.catch(() => {});
  const ranOn = (pid: number) =>
    args.some(
      (_, i) => existsSync(join(dir, `run-${i}`)) && readFileSync(join(dir, `run-${i}`), 'utf8').includes(`${pid}`),
    );
  await until(() => ranOn(a.pid) && ranOn(b.pid), 20_000, 'a chunk on each host');
  const busy = await scrape();
  expect(sample(busy, 'parapool_busy_workers')).toBe(1);
  expect(sample(busy, 'parapool_slots')).toBe(1);
  // The pool has two chunks in flight (processes: 2), one running on each host: the depth is BullMQ's count.
  expect(sample(busy, 'parapool_queue_jobs{state="active"}')).toBe(2);
  // A dies holding a chunk: B runs it again (a retried chunk) and every other chunk: all six results are B's.
  await a.kill('SIGKILL');
  writeFileSync(join(dir, 'gate'), '');
  expect((await mapped).map((r) => r.square)).toEqual(args.map(([, i]) => i * i));
  // A chunk whose local worker dies: a failed chunk.
  expect(await rejectionOf(p.apply(faultTasks.exit, [3]))).toBeInstanceOf(WorkerCrashedError);
  const text = await scrape();
  expect(sample(text, 'parapool_chunks_total{task="gatedSquare",outcome="ok"}')).toBe(6);
  expect(sample(text, 'parapool_chunks_retried_total{task="gatedSquare"}')).toBe(1);
  expect(sample(text, 'parapool_chunks_total{task="exit",outcome="failed"}')).toBe(1);
  expect(sample(text, 'parapool_chunk_seconds_count{task="gatedSquare"}')).toBe(6);
  expect(sample(text, 'parapool_busy_workers')).toBe(0);
  expect(sample(text, 'parapool_queue_jobs{state="waiting"}')).toBe(0);
  expect(sample(text, 'parapool_worker_process_cpu_seconds_total')).toBeGreaterThan(0);
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
});
