// Round-trip latency of one pool.apply() on the child-process backend, against
// a bare child_process.fork echo (send / on('message')), one call at a time.
// Not a test: `pnpm --filter @parapool/child-process build && node packages/child-process/bench-latency.mjs [rounds]`
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPool } from './dist/index.js';
import { tasks } from './test/fixtures/tasks.js';

if (process.argv[2] === '--echo-child') {
  process.on('message', (message) => process.send(message));
} else {
  const rounds = Number(process.argv[2] ?? 5000);
  const warmup = Math.min(500, rounds);

  /** Median, in microseconds, of `rounds` sequential awaits of `once()`, after a warm-up. */
  async function median(once) {
    for (let i = 0; i < warmup; i++) await once(i);
    const times = new Float64Array(rounds);
    for (let i = 0; i < rounds; i++) {
      const start = process.hrtime.bigint();
      await once(i);
      times[i] = Number(process.hrtime.bigint() - start) / 1000;
    }
    times.sort();
    return times[Math.floor(rounds / 2)];
  }

  async function bare(serialization) {
    const child = fork(fileURLToPath(import.meta.url), ['--echo-child'], { serialization, execArgv: [] });
    let waiting;
    child.on('message', (message) => waiting(message));
    const result = await median(
      (i) =>
        new Promise((resolve) => {
          waiting = resolve;
          child.send({ id: i, value: i });
        }),
    );
    child.kill();
    return result;
  }

  async function pooled(task) {
    const pool = createPool({ processes: 1 });
    const result = await median((i) => pool.apply(task, [i]));
    await pool.terminate();
    return result;
  }

  // Two passes, interleaved, keeping each one's better median: the machine is
  // shared and noisy, and the first runs also warm up the JIT.
  const best = { bareAdvanced: Infinity, bareJson: Infinity, applyModule: Infinity, applyInline: Infinity };
  for (let pass = 0; pass < 2; pass++) {
    best.bareAdvanced = Math.min(best.bareAdvanced, await bare('advanced'));
    best.applyModule = Math.min(best.applyModule, await pooled(tasks.square));
    best.bareJson = Math.min(best.bareJson, await bare('json'));
    best.applyInline = Math.min(best.applyInline, await pooled((n) => n * n));
  }
  const { bareAdvanced, bareJson, applyModule, applyInline } = best;
  const row = (label, us) =>
    console.log(
      `${label.padEnd(46)} ${us.toFixed(1).padStart(7)} µs   ×${(us / bareAdvanced).toFixed(2)} of bare 'advanced', ×${(us / bareJson).toFixed(2)} of bare 'json'`,
    );
  console.log(`median of ${rounds} sequential round trips (node ${process.version}):`);
  row("bare fork echo, serialization 'advanced'", bareAdvanced);
  row("bare fork echo, serialization 'json'", bareJson);
  row('pool.apply(tasks.square, [i]) (task module)', applyModule);
  row('pool.apply((n) => n * n, [i]) (inline)', applyInline);
}
