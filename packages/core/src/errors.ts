/**
 * The errors parapool raises. Every class has a stable `name` (safe to compare
 * across threads, processes and package copies) and a message that says what to do.
 */

/**
 * Base class of every error raised by parapool itself (not by your tasks: their
 * errors arrive as they were thrown).
 *
 * @example
 * ```ts
 * try {
 *   await pool.map(tasks.risky, items);
 * } catch (error) {
 *   if (error instanceof WorkerCrashedError) console.error(`a worker died: ${error.message}`);
 *   else throw error; // a task's own error, or another ParapoolError
 * }
 * ```
 */
export class ParapoolError extends Error {
  /** Always `'ParapoolError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'ParapoolError';
}

/** A call was made on a pool that is not running (closed or terminated), or `join()` came before `close()`. */
export class PoolStateError extends ParapoolError {
  /** Always `'PoolStateError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'PoolStateError';
}

/** Work that was still pending when `terminate()` was called. */
export class PoolTerminatedError extends ParapoolError {
  /** Always `'PoolTerminatedError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'PoolTerminatedError';
  constructor(message = 'Pool was terminated before this work finished') {
    super(message);
  }
}

/**
 * `createPool` of a backend that does not work on this runtime (or not with
 * these options): the message names the runtime and what to use instead.
 */
export class UnsupportedRuntimeError extends ParapoolError {
  /** Always `'UnsupportedRuntimeError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'UnsupportedRuntimeError';
}

/** The worker running this job died (exited, crashed, was killed or ran out of memory). */
export class WorkerCrashedError extends ParapoolError {
  /** Always `'WorkerCrashedError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'WorkerCrashedError';
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | null;
  /** The signal that killed the worker process, when one did. */
  readonly signal: NodeJS.Signals | null;
  constructor(details: { exitCode?: number | null; signal?: NodeJS.Signals | null; reason?: string } = {}) {
    const exitCode = details.exitCode ?? null;
    const signal = details.signal ?? null;
    const how =
      signal !== null
        ? `was killed by ${signal}`
        : exitCode !== null
          ? `exited with code ${exitCode}`
          : `died${details.reason ? ` (${details.reason})` : ''}`;
    super(
      `The worker running this task ${how} before finishing it. The worker was replaced and the pool keeps serving; only the work it held failed.`,
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** Workers keep dying while starting (a bad `execArgv`, a worker entry that throws): the pool stops respawning until the next call. */
export class WorkerStartupError extends WorkerCrashedError {
  /** Always `'WorkerStartupError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'WorkerStartupError';
  constructor(failures: number, last: WorkerCrashedError | undefined) {
    super({ exitCode: last?.exitCode ?? null, signal: last?.signal ?? null });
    this.message = `Workers failed to start ${failures === 1 ? 'once' : `${failures} times in a row`}${last ? ` (last: ${last.message})` : ''}. Check the worker options (execArgv, env, resourceLimits...) and that the worker entry loads; the pool tries again on the next call.`;
    if (last) this.cause = last.cause ?? last;
  }
}

/**
 * A task call (one item of a map, one apply) ran longer than its `timeout`. It
 * fails its call as a thrown error would; its `taskSignal()` was aborted with
 * this error, and its worker is replaced if the task has not returned within
 * the grace period after that.
 */
export class TaskTimeoutError extends ParapoolError {
  /** Always `'TaskTimeoutError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'TaskTimeoutError';
  /** The task's label: its name, or `inline` for an inline function. */
  readonly task: string;
  /** The item's index in its call (0 for an apply). */
  readonly index: number;
  /** The timeout it ran past, in milliseconds. */
  readonly timeout: number;
  constructor(details: { task: string; index: number; timeout: number; method?: string }) {
    super(
      `${details.method ? `${details.method} ` : ''}${details.task} item ${details.index} ran longer than its timeout of ${details.timeout} ms: its taskSignal() was aborted. Pass the signal on (fetch(url, { signal: taskSignal() })) or check it in long loops, or raise \`timeout\`.`,
    );
    this.task = details.task;
    this.index = details.index;
    this.timeout = details.timeout;
  }
}

/** `AsyncResult.get(timeoutMs)` ran out of time. The work itself goes on. */
export class TimeoutError extends ParapoolError {
  /** Always `'TimeoutError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'TimeoutError';
}

/** `AsyncResult.successful()` was called before the result was ready (Python's ValueError). */
export class NotReadyError extends ParapoolError {
  /** Always `'NotReadyError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'NotReadyError';
  constructor() {
    super('Result is not ready: await result.wait() or check result.ready() before calling successful()');
  }
}

/** An argument or a result could not be copied to or from a worker (structured clone). */
export class CloneError extends ParapoolError {
  /** Always `'CloneError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'CloneError';
}

/** A task handle, inline function or its module could not be resolved in the worker. */
export class TaskResolutionError extends ParapoolError {
  /** Always `'TaskResolutionError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'TaskResolutionError';
}

/**
 * How an inline function used the outer name it refers to, which decides the
 * advice: a value can be passed as an argument; a function or a task handle
 * cannot (functions do not cross the boundary).
 */
export type OuterReference = 'value' | 'function' | 'handles';

/** An inline function used a variable from the scope it was written in. */
export class InlineTaskError extends ParapoolError {
  /** Always `'InlineTaskError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'InlineTaskError';
  /** The identifier the function referred to. */
  readonly identifier: string;
  /** How the function used it (called it, called a method of it, or read it). */
  readonly usage: OuterReference;
  /**
   * @param identifier the outer name
   * @param usage how the function used it
   * @param member for `handles`: the expression it called, e.g. `tasks.square`
   */
  constructor(identifier: string, usage: OuterReference = 'value', member?: string) {
    const start = `Inline task refers to '${identifier}', which does not exist in the worker. Inline functions are sent as source and must be self-contained:`;
    const moveIt = 'move the code into a task module with defineTasks(import.meta.url, {...}) and pass its handle';
    let advice: string;
    if (usage === 'handles') {
      const handle = member ?? `${identifier}.someTask`;
      advice = `if '${identifier}' holds task handles, call the task by its handle instead of wrapping it, e.g. pool.map(${handle}, xs) rather than pool.map((x) => ${handle}(x), xs); otherwise ${moveIt}. Functions, task handles and objects with methods cannot be passed as arguments.`;
    } else if (usage === 'function') {
      advice = `${moveIt} (if '${identifier}' is itself a task handle, pass it as the task: pool.map(${identifier}, xs)). Functions cannot be passed as arguments.`;
    } else {
      advice = `pass '${identifier}' as an argument (for example with starmap), or move the function into a task module with defineTasks(import.meta.url, {...}).`;
    }
    super(`${start} ${advice}`);
    this.identifier = identifier;
    this.usage = usage;
  }
}

/** The pool's initializer threw in a worker; the jobs sent to that worker fail with this. */
export class InitializerError extends ParapoolError {
  /** Always `'InitializerError'`: stable across threads, processes and machines, so `error.name` identifies it where `instanceof` cannot. */
  override name = 'InitializerError';
}
