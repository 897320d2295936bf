import type { MultiBar, SingleBar } from 'cli-progress';

/** The `progress` option of a map-like call. */
export type ProgressOption = boolean | { label?: string } | undefined;

/** One call's bar: told of progress and of the end. */
export interface ProgressBar {
  update(done: number, total: number | undefined): void;
  end(): void;
}

interface BarState {
  label: string;
  done: number;
  total: number | undefined;
  readonly start: number;
  bar: SingleBar | undefined;
  ended: boolean;
}

/** What the bars need of cli-progress, loaded on first use only. */
type CliProgress = typeof import('cli-progress');

const KNOWN_TOTAL =
  '{label} |{bar}| {percentage}% | {value}/{total} | {rate}/s | {duration_formatted} | ETA {eta_formatted}';
const ENDLESS = '{label} {value} done | {rate}/s | {duration_formatted}';

/**
 * The bars of every call with `progress`, drawn together on stderr: one line
 * per call, redrawn at most 10 times a second, each left as a clean final
 * line. When stderr is not a terminal nothing is redrawn; each call prints one
 * summary line at its end instead.
 */
class ProgressDisplay {
  #library: CliProgress | undefined;
  #loading: Promise<void> | undefined;
  #multibar: MultiBar | undefined;
  readonly #open = new Set<BarState>();

  open(label: string, total: number | undefined): ProgressBar {
    const state: BarState = { label, done: 0, total, start: performance.now(), bar: undefined, ended: false };
    const tty = process.stderr.isTTY === true;
    if (tty) {
      this.#open.add(state);
      this.#attach(state);
    }
    return {
      update: (done, newTotal) => {
        state.done = done;
        if (newTotal !== undefined) state.total = newTotal;
        if (tty) this.#draw(state);
      },
      end: () => {
        if (state.ended) return;
        state.ended = true;
        if (tty) this.#finish(state);
        else process.stderr.write(`${summary(state)}\n`);
      },
    };
  }

  #attach(state: BarState): void {
    if (this.#library) {
      this.#create(state);
      return;
    }
    this.#loading ??= import('cli-progress').then(
      (library) => {
        this.#library = (library as { default?: CliProgress }).default ?? library;
        for (const open of this.#open) this.#create(open);
      },
      () => {
        // Without the library, fall back to the summary lines.
        for (const open of this.#open) if (open.ended) process.stderr.write(`${summary(open)}\n`);
      },
    );
  }

  #create(state: BarState): void {
    const library = this.#library as CliProgress;
    this.#multibar ??= new library.MultiBar(
      {
        stream: process.stderr,
        fps: 10,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 30,
        emptyOnZero: true,
        autopadding: true,
        gracefulExit: false,
      },
      library.Presets.shades_classic,
    );
    state.bar = this.#multibar.create(state.total ?? 0, state.done, payload(state), {
      format: state.total === undefined ? ENDLESS : KNOWN_TOTAL,
    });
    this.#draw(state);
    if (state.ended) this.#finish(state);
  }

  #draw(state: BarState): void {
    const bar = state.bar;
    if (!bar) return;
    if (state.total !== undefined && bar.getTotal() !== state.total) {
      bar.setTotal(state.total);
      (bar as unknown as { options: { format: string } }).options.format = KNOWN_TOTAL;
    }
    bar.update(state.done, payload(state));
  }

  #finish(state: BarState): void {
    if (!state.bar) return; // drawn once the library has loaded
    this.#draw(state);
    this.#open.delete(state);
    if (this.#open.size === 0 && this.#multibar) {
      // Every bar is done: draw the final lines and hand the terminal back.
      this.#multibar.stop();
      this.#multibar = undefined;
    }
  }
}

function payload(state: BarState): { label: string; rate: string } {
  const seconds = (performance.now() - state.start) / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  return { label: state.label, rate: rate >= 100 ? rate.toFixed(0) : rate.toFixed(1) };
}

function summary(state: BarState): string {
  const seconds = (performance.now() - state.start) / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  const of = state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
  return `${state.label}: ${of} done in ${seconds.toFixed(1)} s (${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)}/s)`;
}

let display: ProgressDisplay | undefined;

/** A bar for one call, or undefined when `option` does not ask for one. */
export function openProgressBar(option: ProgressOption, label: string, total?: number): ProgressBar | undefined {
  if (!option) return undefined;
  display ??= new ProgressDisplay();
  const given = typeof option === 'object' && typeof option.label === 'string' ? option.label : undefined;
  return display.open(given ?? label, total);
}
