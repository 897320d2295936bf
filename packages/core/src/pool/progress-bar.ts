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

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

/**
 * What the program writes to the terminal while bars are drawn (`console.log`,
 * `process.stdout.write`, a library's warnings on stderr...): without this it
 * would land on a bar's line, and the bar's next redraw would overwrite it.
 * While held, the writes of `process.stdout` (when it is a terminal) and
 * `process.stderr` are kept until a line is complete; `flush()` then writes the
 * complete lines, each on a cleared line, through the stream they were written
 * to, where the bars were, and the bars are drawn again below them. A line
 * not yet ended when the last bar ends is written then.
 */
class HeldWrites {
  readonly #originals = new Map<NodeJS.WriteStream, Write>();
  readonly #partial = new Map<NodeJS.WriteStream, string>();
  #lines: Array<[NodeJS.WriteStream, string]> = [];
  #holding = true;

  /** Starts holding; `onLine` is called when a complete line is waiting. */
  constructor(onLine: () => void) {
    for (const stream of [process.stdout, process.stderr]) {
      if (stream.isTTY !== true) continue;
      const original = stream.write as Write;
      this.#originals.set(stream, original);
      const held: Write = (chunk, encoding, callback) => {
        // Once released, a write that still comes here (another wrapper was put over this one) goes through.
        if (!this.#holding) return original.call(stream, chunk, encoding, callback);
        const text = (this.#partial.get(stream) ?? '') + asText(chunk, encoding);
        const end = text.lastIndexOf('\n');
        this.#partial.set(stream, text.slice(end + 1));
        if (end >= 0) this.#lines.push([stream, text.slice(0, end)]);
        const done = typeof encoding === 'function' ? encoding : callback;
        if (typeof done === 'function') process.nextTick(done as () => void);
        if (end >= 0) onLine();
        return true;
      };
      stream.write = held as typeof stream.write;
    }
  }

  /** stderr as the bars write to it: through its own `write`, not held. */
  get barStream(): NodeJS.WriteStream {
    const stderr = process.stderr;
    const write = this.#originals.get(stderr) ?? (stderr.write as Write);
    return {
      isTTY: true,
      get columns() {
        return stderr.columns;
      },
      get rows() {
        return stderr.rows;
      },
      write: (chunk: unknown, encoding?: unknown, callback?: unknown) => write.call(stderr, chunk, encoding, callback),
    } as unknown as NodeJS.WriteStream;
  }

  /** Writes the complete lines held, each on a cleared line, from the cursor down. */
  flush(): void {
    const lines = this.#lines;
    if (lines.length === 0) return;
    this.#lines = [];
    for (const [stream, text] of lines) {
      const write = this.#originals.get(stream) as Write;
      write.call(stream, `${text.replace(/\n/g, '\n\u001b[2K').replace(/^/, '\u001b[2K')}\n`);
    }
  }

  /** Stops holding: writes what is left (a line not yet ended too) and puts each stream's `write` back. */
  release(): void {
    this.flush();
    this.#holding = false;
    for (const [stream, original] of this.#originals) {
      const rest = this.#partial.get(stream);
      if (rest) original.call(stream, rest);
      if (stream.write !== original) stream.write = original as typeof stream.write;
    }
  }
}

function asText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }
  return String(chunk);
}

/**
 * The bars of every call with `progress`, drawn together on stderr: one line
 * per call, redrawn at most 10 times a second, each left as a clean final
 * line. While they are drawn, lines the program writes to the terminal appear
 * above them (see {@link HeldWrites}). When stderr is not a terminal nothing is
 * redrawn; each call prints one summary line at its end instead.
 */
class ProgressDisplay {
  #library: CliProgress | undefined;
  #loading: Promise<void> | undefined;
  #multibar: MultiBar | undefined;
  #held: HeldWrites | undefined;
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
    if (!this.#multibar) {
      const held = new HeldWrites(() => this.#multibar?.update());
      this.#held = held;
      this.#multibar = this.#newMultibar(library, held);
      // Each redraw starts where the bars begin: the lines written since go there first.
      this.#multibar.on('redraw-pre', () => held.flush());
    }
    state.bar = this.#multibar.create(state.total ?? 0, state.done, payload(state), {
      format: state.total === undefined ? ENDLESS : KNOWN_TOTAL,
    });
    this.#draw(state);
    if (state.ended) this.#finish(state);
  }

  #newMultibar(library: CliProgress, held: HeldWrites): MultiBar {
    return new library.MultiBar(
      {
        stream: held.barStream,
        // Every bar is drawn at every redraw, changed or not: lines written above move them down.
        forceRedraw: true,
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
      // Every bar is done: write the lines held, draw the final lines and hand the terminal back.
      this.#multibar.update();
      this.#multibar.stop();
      this.#multibar = undefined;
      this.#held?.release();
      this.#held = undefined;
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

/**
 * A bar for one call, or undefined when `option` does not ask for one (then nothing else runs:
 * `label` names the bar when the option does not, and is made only for a bar).
 */
export function openProgressBar(option: ProgressOption, label: () => string, total?: number): ProgressBar | undefined {
  if (!option) return undefined;
  display ??= new ProgressDisplay();
  const given = typeof option === 'object' && typeof option.label === 'string' ? option.label : undefined;
  return display.open(given ?? label(), total);
}
