/**
 * The wire format's shapes: what crosses from the caller to a worker and back.
 * Plain data only, so a job can cross threads, processes or a network.
 */
import type { Ticker } from './ticker.js';
import type { SerializedError } from './value-codec.js';

/**
 * How a job names the function to run. Plain data: it can cross threads,
 * processes or (later) a network.
 */
export type TaskRef =
  | {
      /** A function of a task module (`defineTasks`). */
      readonly kind: 'module';
      /** The module's URL. */
      readonly module: string;
      /** The task's name in it. */
      readonly name: string;
    }
  | {
      /** A self-contained inline function, sent as its source. */
      readonly kind: 'inline';
      /** The function's source text. */
      readonly source: string;
    };

/** A task plus the arguments to call it with (used for the pool's initializer). */
export interface TaskCall {
  /** The function to call. */
  readonly task: TaskRef;
  /** Its arguments. */
  readonly args: readonly unknown[];
}

/** One unit of work for one worker: a task and a chunk of items. */
export interface Job {
  /** The function to call on each item. */
  readonly task: TaskRef;
  /**
   * The items of this chunk. With `spread`, each item is an argument list. A
   * chunk of numbers may come packed as a Float64Array (read it by index).
   */
  readonly items: readonly unknown[] | Float64Array;
  /** `true` for starmap/apply: each item is spread into the call. */
  readonly spread: boolean;
  /**
   * With `spread`, the argument lists may come column by column instead of in
   * `items` (then empty): call `i` is `fn(columns[0][i], columns[1][i], ...)`.
   * Sending a few long columns is much cheaper than many short lists.
   */
  readonly columns?: ReadonlyArray<readonly unknown[] | Float64Array>;
  /**
   * Rows packed as one matrix: when set, `items` is a Float64Array of
   * `rowWidth` numbers per item (each item an array of that many numbers).
   * The worker runtime makes each row an array just before its call.
   */
  readonly rowWidth?: number;
  /** Likewise per column: the row width of each column packed as a matrix (0: not packed). */
  readonly columnRowWidths?: readonly number[];
  /** The pool's initializer, run once per worker before its first job. */
  readonly initializer?: TaskCall;
  /**
   * Set by WorkerSlots when workers hold a job ahead: this job's cell in the
   * worker's gate (`gateCells`, sent until the worker has answered once). The
   * worker starts the job only if it flips the cell from waiting to started;
   * a job the caller dropped first is skipped (see `JobResult.skipped`).
   */
  readonly gate?: number;
  /** The worker's gate: one shared cell per job it may hold (see `gate`). */
  readonly gateCells?: Int32Array;
  /**
   * Milliseconds each task call of this job may run (see wire/deadlines.ts): a
   * call past it fails with TaskTimeoutError and its `taskSignal()` aborts.
   */
  readonly timeout?: number;
  /**
   * A thread worker's clock (shared memory, see wire/deadlines.ts), where it counts its lingering
   * calls and hears that its caller cancelled the job of `token` (the signals of its calls abort).
   */
  readonly clock?: Int32Array;
  /** This job's number on its worker, for the clock's cancellation. */
  readonly token?: number;
  /** With a timeout, on thread workers: the caller's coarse clock (wire/ticker.ts), which times synchronous calls. */
  readonly ticker?: Ticker;
  /** Report the worker's heap after the job (`JobResult.heapMB`), for `maxmemoryperchild`. */
  readonly heap?: true;
  /** The caller may send this job again (its call has `retries`): its buffers are copied, never moved. */
  readonly resend?: true;
  /**
   * With `resend`, on thread workers: what each item ended with, written as it ends, so that a job
   * sent again after its worker died does not run its ended items twice (see wire/item-record.ts).
   */
  readonly record?: ItemRecord;
  /**
   * With `resend`, on worker processes: the job's name among the caller's jobs, the same each
   * time it is sent (its notes path is made from it, so that a worker that runs it again finds
   * the record file of the one that died).
   */
  readonly resendKey?: string;
  /**
   * With `resend`, where the worker that died was on another machine (a bullmq host's): the items
   * that had ended there and what they ended with, which the worker takes instead of running them
   * (wire/ended-items.ts).
   */
  readonly ended?: readonly EndedItem[];
  /**
   * With `resendKey` and no retries: the job's outcomes are kept only for a call stuck past its
   * timeout (an `imap`'s chunk delivers the items before it): the worker process holds them in
   * memory its watch thread writes to the record file then, instead of a write per item.
   */
  readonly keepOnStall?: true;
  /**
   * On worker processes on the caller's machine, a job with a timeout or `resend`: a path to which
   * the worker may add notes for its caller, read after it died — `<notes>.record`, what each item
   * ended with (wire/item-record.ts), and `<notes>.timeout`, the index of a synchronous call its
   * watch thread found past the timeout and grace period (worker/parent-watch.ts). The caller
   * removes them once the job has ended.
   */
  readonly notes?: string;
  /** With a timeout, on worker processes: the grace period (ms) the worker's own watch allows past it. */
  readonly grace?: number;
}

/** A failed item of a job. */
export interface ItemFailure {
  /** The item's index in its job. */
  readonly index: number;
  /** What it threw. */
  readonly error: SerializedError;
}

/**
 * What a worker sends back for a job: one value per item (in item order) and the
 * items that failed. `values[i]` is `undefined` where item `i` failed.
 */
export interface JobResult {
  /**
   * One value per item; a Float64Array when every value is a number; columns
   * (`{ packed: 'tuples' }`) when every value is a short tuple of numbers. The
   * core unpacks tuples as a result arrives; adapters pass values through.
   */
  readonly values: unknown[] | Float64Array | PackedTuples;
  /** The items that threw (absent when none did). */
  readonly failures?: ItemFailure[];
  /** What the worker says of the run: how long the items took and who ran them (for insights). */
  readonly ran?: JobRun;
  /**
   * Milliseconds this job spent loading task modules the worker had not loaded yet (importing them,
   * compiling TypeScript): the worker's start-up, not the task's work, so not part of `ran.ms`.
   */
  readonly loadMs?: number;
  /** The worker did not run the job: the caller dropped it (through its gate) before it started. */
  readonly skipped?: true;
  /**
   * Task calls of this job that ran past their timeout and had not returned
   * when it answered (they ignore their signal): the worker starts nothing
   * else until they have, and the caller stops it after the grace period.
   */
  readonly lingering?: number;
  /** The worker's heap used after the job, in MB (when the job asked for it with `heap`). */
  readonly heapMB?: number;
}

/** Results that are all short tuples of numbers (`[i, count]`), sent as one Float64Array per position. */
export interface PackedTuples {
  /** Marks the packed form. */
  readonly packed: 'tuples';
  /** Column `k` holds position `k` of every tuple. */
  readonly columns: Float64Array[];
}

/** How long a job's items took in the worker, and which worker ran them. */
export interface JobRun {
  /** Milliseconds from the job's start to its last item's end, in the worker, less the job's `loadMs`. */
  readonly ms: number;
  readonly worker: { readonly id: string; readonly pid: number; readonly threadId: number };
}

/** A job's item record (plain data: typed arrays over shared memory). */
export interface ItemRecord {
  /** `[bytes used, then per item: state, byte offset, byte length]`. */
  readonly cells: Int32Array;
  /** Per item: its value, when a number. */
  readonly numbers: Float64Array;
  /** Values and failures as structured-clone bytes (a growable SharedArrayBuffer where the runtime has them). */
  readonly bytes: SharedArrayBuffer;
}

/** What the record holds for item `i`: nothing (it runs), its value, or its failure. */
export type Recorded = undefined | { readonly value: unknown } | { readonly failure: SerializedError };

/** An item that ended in an earlier run of its job (its index in the job), and what it ended with. */
export type EndedItem = {
  /** The item's index in its job. */
  readonly i: number;
} & Exclude<Recorded, undefined>;
