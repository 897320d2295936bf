/**
 * `parapool-worker --metrics <port>`: the host's Prometheus metrics, served over HTTP at
 * `/metrics` by prom-client (the Node client Prometheus documents): chunks run, failed, stopped,
 * retried, busy and total slots, the queue's depth (read from BullMQ at each scrape), and the
 * time each task's chunks take here. Each host has its own registry (not prom-client's global one).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What a chunk came to on this host. */
export type ChunkOutcome = 'ok' | 'failed' | 'stopped' | 'dropped';

export class HostMetrics {
  readonly registry = new Registry();
  readonly #chunks: Counter<'task' | 'outcome'>;
  readonly #retried: Counter<'task'>;
  readonly #busy: Gauge;
  readonly #seconds: Histogram<'task'>;
  #server: Server | undefined;

  constructor(slots: number, queueDepth: () => Promise<Record<string, number>>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'parapool_worker_' });
    this.#chunks = new Counter({
      name: 'parapool_chunks_total',
      help: 'Chunks this host took, by task and outcome (ok: a result, with or without failed items; failed: a whole-chunk error; stopped; dropped: cancelled or its caller gone)',
      labelNames: ['task', 'outcome'],
      registers,
    });
    this.#retried = new Counter({
      name: 'parapool_chunks_retried_total',
      help: 'Chunks this host took that had started before (on a host that died, or one its caller saw lost)',
      labelNames: ['task'],
      registers,
    });
    this.#busy = new Gauge({ name: 'parapool_busy_workers', help: 'Chunks running on this host now', registers });
    new Gauge({ name: 'parapool_slots', help: 'Chunks this host runs at once (--concurrency)', registers }).set(slots);
    this.#seconds = new Histogram({
      name: 'parapool_chunk_seconds',
      help: 'Time a chunk of each task took on this host, from taking it to its report',
      labelNames: ['task'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300],
      registers,
    });
    new Gauge({
      name: 'parapool_queue_jobs',
      help: "Jobs in the queue's states (BullMQ's counts, read at each scrape; the queue is shared by all hosts)",
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await queueDepth();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  /** A chunk taken: call the returned function with its outcome when it is done. */
  started(task: string, retried: boolean): (outcome: ChunkOutcome) => void {
    if (retried) this.#retried.inc({ task });
    const end = this.#seconds.startTimer({ task });
    return (outcome) => {
      end();
      this.#chunks.inc({ task, outcome });
    };
  }

  /** A chunk begins to run on a slot (one taken ahead waits first): call the returned function when it ends. */
  running(): () => void {
    this.#busy.inc();
    return () => this.#busy.dec();
  }

  /** Serves `/metrics` on `port` (0: a free one); resolves with the port. */
  async serve(port: number): Promise<number> {
    const server = createServer((request, response) => {
      if (request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end('parapool-worker serves /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(`${error.message}\n`),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`--metrics ${port}: cannot listen (${error.code ?? error.message})`)),
      );
      server.listen(port, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
