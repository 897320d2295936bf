import { Presets, SingleBar } from 'cli-progress';

/** Where the runner reports how far it got. */
export interface ProgressReporter {
  /** A workload starts: `total` runs to go. */
  begin(title: string, total: number): void;
  /** A run starts (shown on the bar). */
  running(detail: string): void;
  /** One run done. */
  tick(detail: string): void;
  /** The workload is done. */
  end(): void;
}

/** A bar on a terminal (stderr). */
function barReporter(): ProgressReporter {
  let bar: SingleBar | undefined;
  return {
    begin(title, total) {
      bar = new SingleBar(
        {
          format: `${title.padEnd(13)} {bar} {value}/{total} {detail}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
    },
    running(detail) {
      bar?.update({ detail });
    },
    tick(detail) {
      bar?.increment(1, { detail });
    },
    end() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Plain lines (not a terminal, or --no-progress): about ten per workload. */
function lineReporter(write: (line: string) => void): ProgressReporter {
  let title = '';
  let total = 0;
  let done = 0;
  let lastDecile = -1;
  let started = 0;
  return {
    begin(t, n) {
      title = t;
      total = n;
      done = 0;
      lastDecile = -1;
      started = performance.now();
      write(`${title}: ${total} runs`);
    },
    running() {},
    tick(detail) {
      done++;
      const decile = Math.floor((done * 10) / Math.max(1, total));
      if (decile !== lastDecile && decile > 0) {
        lastDecile = decile;
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        write(`${title}: ${done}/${total} (${seconds} s) ${detail}`);
      }
    },
    end() {},
  };
}

/** A bar when stderr is a terminal and progress is wanted; plain lines otherwise; nothing when quiet. */
export function progressReporter(mode: 'auto' | 'lines' | 'none'): ProgressReporter {
  if (mode === 'none') return { begin() {}, running() {}, tick() {}, end() {} };
  if (mode === 'auto' && process.stderr.isTTY) return barReporter();
  return lineReporter((line) => process.stderr.write(`${line}\n`));
}
