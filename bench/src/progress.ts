/** How far the whole run got: a bar on a terminal (cli-progress, with its ETA), plain lines otherwise. */
import { Presets, SingleBar } from 'cli-progress';
import prettyMs from 'pretty-ms';

/** Where the runner reports how far the whole run got. */
export interface ProgressReporter {
  /** The run starts with this many runs planned. */
  start(total: number): void;
  /** Runs added to the plan (a case whose median is not yet known precisely enough runs again). */
  add(runs: number): void;
  /** A run starts. */
  running(workload: string, detail: string): void;
  /** A run is over. */
  tick(): void;
  finish(): void;
}

const since = (started: number) => prettyMs(performance.now() - started, { secondsDecimalDigits: 0 });

/** A bar when stderr is a terminal and progress is wanted; plain lines (one per 5% and per workload) otherwise; nothing when quiet. */
export function progressReporter(mode: 'auto' | 'lines' | 'none'): ProgressReporter {
  if (mode === 'none') return { start() {}, add() {}, running() {}, tick() {}, finish() {} };
  let started = 0;
  let total = 0;
  let done = 0;
  let workload = '';
  let detail = '';
  if (mode === 'auto' && process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: '{bar} {value}/{total} runs · {duration_formatted} · ETA {eta_formatted} · {detail}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
      },
      Presets.shades_classic,
    );
    return {
      start: (n) => bar.start(n, 0, { detail: '' }),
      add: (n) => bar.setTotal(bar.getTotal() + n),
      running: (w, d) => bar.update({ detail: `${w} · ${d}` }),
      tick: () => bar.increment(),
      finish: () => bar.stop(),
    };
  }
  const write = (line: string) => process.stderr.write(`progress: ${line}\n`);
  const status = () => {
    const left = done > 0 ? ((performance.now() - started) * (total - done)) / done : undefined;
    return `${Math.floor((done * 100) / Math.max(1, total))}% (${done}/${total} runs), ${since(started)} elapsed${left === undefined ? '' : `, about ${prettyMs(left, { secondsDecimalDigits: 0 })} left`}`;
  };
  return {
    start(n) {
      started = performance.now();
      total = n;
      write(`${total} runs planned (more for a case whose median is not yet precise enough)`);
    },
    add: (n) => {
      total += n;
    },
    running(w, d) {
      detail = d;
      if (w === workload) return;
      workload = w;
      write(`${status()}: ${workload}`);
    },
    tick() {
      const step = Math.floor((++done * 20) / Math.max(1, total));
      if (step > Math.floor(((done - 1) * 20) / Math.max(1, total)) && done < total) {
        write(`${status()}: ${workload} · ${detail}`);
      }
    },
    finish: () => write(`done in ${since(started)}`),
  };
}
