import { SingleBar } from 'cli-progress';
import { duration, Eta } from './eta.js';

/** Where the runner reports how far the whole run got. */
export interface ProgressReporter {
  /** The run starts: one key per planned run (see Eta). */
  start(keys: readonly string[]): void;
  /** A run starts (shown on the bar). */
  running(workload: string, detail: string): void;
  /** One run is over (`ms` 0 when it was skipped). */
  tick(key: string, ms: number): void;
  /** The whole run is over. */
  finish(): void;
}

interface Status {
  readonly percent: number;
  readonly done: number;
  readonly total: number;
  readonly elapsed: string;
  readonly eta: string;
}

function statusOf(eta: Eta, started: number): Status {
  const elapsedMs = performance.now() - started;
  const left = eta.remainingMs(elapsedMs);
  return {
    percent: eta.total === 0 ? 100 : Math.floor((eta.done * 100) / eta.total),
    done: eta.done,
    total: eta.total,
    elapsed: duration(elapsedMs),
    eta: left === undefined ? '…' : `about ${duration(left)} left`,
  };
}

/** One bar for the whole run on a terminal (stderr), with the ETA. */
function barReporter(): ProgressReporter {
  let bar: SingleBar | undefined;
  let eta = new Eta([]);
  let started = 0;
  let detail = '';
  const update = () => {
    const s = statusOf(eta, started);
    bar?.update(s.done, { detail, elapsed: s.elapsed, left: s.eta });
  };
  return {
    start(keys) {
      eta = new Eta(keys);
      started = performance.now();
      bar = new SingleBar({
        format: '{bar} {percentage}% {value}/{total} runs · {elapsed} · {left} · {detail}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
        barsize: 24,
      });
      bar.start(eta.total, 0, { detail: '', elapsed: '0 s', left: '…' });
    },
    running(workload, d) {
      detail = `${workload} · ${d}`;
      update();
    },
    tick(key, ms) {
      eta.record(key, ms);
      update();
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Plain lines (not a terminal): one per 5% of the run and one per workload, with the ETA. */
function lineReporter(write: (line: string) => void): ProgressReporter {
  let eta = new Eta([]);
  let started = 0;
  let lastStep = -1;
  let workload = '';
  let detail = '';
  return {
    start(keys) {
      eta = new Eta(keys);
      started = performance.now();
      write(`progress: ${eta.total} runs planned`);
    },
    running(w, d) {
      detail = d;
      if (w !== workload) {
        workload = w;
        const s = statusOf(eta, started);
        write(`progress: ${s.percent}% (${s.done}/${s.total} runs), ${s.elapsed} elapsed, ${s.eta}: ${workload}`);
      }
    },
    tick(key, ms) {
      eta.record(key, ms);
      const step = Math.floor((eta.done * 20) / Math.max(1, eta.total));
      if (step !== lastStep && step > 0 && step < 20) {
        lastStep = step;
        const s = statusOf(eta, started);
        write(
          `progress: ${s.percent}% (${s.done}/${s.total} runs), ${s.elapsed} elapsed, ${s.eta}: ${workload} · ${detail}`,
        );
      }
    },
    finish() {
      write(`progress: done in ${duration(performance.now() - started)}`);
    },
  };
}

/** A bar when stderr is a terminal and progress is wanted; plain lines otherwise; nothing when quiet. */
export function progressReporter(mode: 'auto' | 'lines' | 'none'): ProgressReporter {
  if (mode === 'none') return { start() {}, running() {}, tick() {}, finish() {} };
  if (mode === 'auto' && process.stderr.isTTY) return barReporter();
  return lineReporter((line) => process.stderr.write(`${line}\n`));
}
