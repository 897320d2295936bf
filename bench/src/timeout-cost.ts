/**
 * What `timeout` costs when it never fires: `pool.map(square, 1e6 items)` with
 * and without a timeout, in one run, rounds interleaved (so that the machine's
 * load falls on both alike), on each backend asked for. `--method imap` reads an
 * `imap` (chunks of `--chunksize`, default 1000) instead: with a timeout, its
 * workers record each item's outcome (for a call that gets stuck).
 *
 *   pnpm --filter @parapool/bench run bench:timeout [--processes 2] [--rounds 7] [--backends piscina,child-process]
 *     [--method imap] [--items 200000] [--chunksize 1000]
 */
import { parseArgs } from 'node:util';
import { loadBackend } from './backends.js';
import { tasks } from './tasks.js';

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '7' },
    items: { type: 'string', default: '1000000' },
    backends: { type: 'string', default: 'inline,piscina,tinypool,threads,workerpool,poolifier,child-process' },
    method: { type: 'string', default: 'map' },
    chunksize: { type: 'string', default: '1000' },
  },
});
if (values.method !== 'map' && values.method !== 'imap')
  throw new Error(`--method must be map or imap (got ${values.method})`);
const imap = values.method === 'imap';
const chunksize = Number(values.chunksize);
const processes = Number(values.processes);
const rounds = Number(values.rounds);
const n = Number(values.items);
const items = Array.from({ length: n }, (_, i) => i);
/** Far above what one square takes: it never fires. */
const TIMEOUT = 60_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(
  `square ${imap ? `imap (chunksize ${chunksize})` : 'map'} of ${n} items, --processes ${processes}, ${rounds} rounds each (interleaved), median ms`,
);
console.log('backend        | without timeout | timeout: 60000 | difference');
for (const name of (values.backends as string).split(',')) {
  const loaded = await loadBackend(name);
  if (!loaded.createPool) {
    console.log(`${name.padEnd(14)} | unavailable`);
    continue;
  }
  const plain = loaded.createPool({ processes });
  const timed = loaded.createPool({ processes, timeout: TIMEOUT });
  const times = { plain: [] as number[], timed: [] as number[] };
  try {
    /** One call of the method measured: its results, in order. */
    const run = async (pool: typeof plain): Promise<number[]> => {
      if (!imap) return pool.map(tasks.square, items);
      const out: number[] = [];
      for await (const value of pool.imap(tasks.square, items, { chunksize })) out.push(value);
      return out;
    };
    // Warm both pools (workers up, the task module loaded, the JIT warm).
    for (const pool of [plain, timed]) for (let i = 0; i < 2; i++) await run(pool);
    for (let round = 0; round < rounds; round++) {
      for (const [key, pool] of round % 2 === 0
        ? ([
            ['plain', plain],
            ['timed', timed],
          ] as const)
        : ([
            ['timed', timed],
            ['plain', plain],
          ] as const)) {
        const start = performance.now();
        const out = await run(pool);
        times[key].push(performance.now() - start);
        if (out[n - 1] !== (n - 1) * (n - 1)) throw new Error(`wrong result on ${name}`);
      }
    }
  } finally {
    await Promise.all([plain.terminate(), timed.terminate()]);
  }
  const a = median(times.plain);
  const b = median(times.timed);
  console.log(
    `${name.padEnd(14)} | ${a.toFixed(1).padStart(15)} | ${b.toFixed(1).padStart(14)} | ${(b - a >= 0 ? '+' : '') + (b - a).toFixed(1)} ms (${(((b - a) / a) * 100).toFixed(0)}%)`,
  );
}
