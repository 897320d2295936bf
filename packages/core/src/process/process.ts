import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { settlesWithin } from '../settles-within.js';
import { type TaskFunction, toTaskRef } from '../tasks.js';
import { isReply, JobWriter, type WorkerMessage } from '../wire/channel.js';
import { isDataCloneError, toCloneError } from '../wire/error-transport.js';
import type { Job } from '../wire/job.js';
import { encodeJob } from '../wire/job-codec.js';
import { type ChildProcessOptions, checkChildProcessOptions, forkWorker } from './fork.js';

/** What `new Process(...)` runs, and how its process is started. */
export interface ProcessOptions<F extends TaskFunction = TaskFunction> {
  /** A task handle from `defineTasks`, or a self-contained function (sent as source). */
  readonly target: F;
  /** Arguments for the target. */
  readonly args?: Parameters<F>;
  /** Shown when the target fails. Default `Process-<n>`, as in Python. */
  readonly name?: string;
  /** Passed to `child_process.fork`. */
  readonly childProcess?: ChildProcessOptions;
}

let counter = 0;

/**
 * One OS process running one task: Python's `multiprocessing.Process`.
 *
 * @example
 * ```ts
 * const p = new Process({ target: tasks.work, args: [1, 2] });
 * p.start();
 * await p.join();
 * p.exitCode; // 0
 * ```
 * The target's return value is discarded (as in Python); use a pool for results.
 * If it throws, its stack is printed on this process's stderr and `exitCode` is 1.
 */
export class Process<F extends TaskFunction = TaskFunction> {
  /** The process's name (`Process-1`, ...). */
  readonly name: string;
  readonly #job: Job;
  readonly #options: ChildProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #exitCode: number | null = null;
  #done = false;

  constructor(options: ProcessOptions<F>) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('new Process() needs options: new Process({ target, args })');
    }
    const args: unknown = options.args ?? [];
    if (!Array.isArray(args)) throw new TypeError('Process args must be an array of arguments for the target');
    // Registered class instances among the arguments travel as plain data, rebuilt in the child.
    this.#job = encodeJob({ task: toTaskRef(options.target), items: [args], spread: true });
    this.#options = checkChildProcessOptions(options.childProcess);
    counter += 1;
    this.name = options.name ?? `Process-${counter}`;
  }

  /** The OS process id, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * `null` while running or before start; then 0 on success, 1 when the target
   * threw, the code given to `process.exit(code)`, or minus the signal number
   * when a signal ended it (SIGTERM → -15), as in Python.
   */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** Whether the process has started and not yet exited. */
  isAlive(): boolean {
    return this.#child !== undefined && !this.#done;
  }

  /** Starts the process. Throws if it was started already, or if `args` cannot be sent (CloneError). */
  start(): void {
    if (this.#child) throw new Error(`${this.name} was already started: a process can only be started once`);
    const child = forkWorker(this.#options);
    try {
      child.send(new JobWriter().write(1, this.#job, true));
    } catch (error) {
      child.kill('SIGKILL');
      throw isDataCloneError(error) ? toCloneError(error, 'argument') : error;
    }
    this.#child = child;
    child.on('message', (message: WorkerMessage) => {
      if (!isReply(message)) return;
      for (const { error } of message[3] ?? []) {
        // Python prints the traceback of a failed target on stderr.
        process.stderr.write(
          `Process ${this.name} (pid ${child.pid}):\n${error.stack ?? `${error.name}: ${error.message}`}\n`,
        );
      }
    });
    this.#exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#done) return;
        this.#done = true;
        this.#exitCode = signal ? -(constants.signals[signal] ?? 0) : (code ?? 1);
        resolve();
      };
      child.once('exit', finish);
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        process.stderr.write(`Process ${this.name} could not be spawned: ${error.message}\n`);
        finish(1, null);
      });
    });
  }

  /**
   * Waits until the process exits, or at most `timeoutMs`. Like Python, it does
   * not say which: check `exitCode` or `isAlive()` afterwards.
   */
  async join(timeoutMs?: number): Promise<void> {
    if (!this.#exited) throw new Error(`${this.name} was not started: call start() before join()`);
    if (timeoutMs === undefined) return this.#exited;
    await settlesWithin(this.#exited, timeoutMs);
  }

  /** Asks the process to stop with SIGTERM (`exitCode` becomes -15). */
  terminate(): void {
    this.#signal('SIGTERM');
  }

  /** Stops the process with SIGKILL (`exitCode` becomes -9). */
  kill(): void {
    this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.#child) throw new Error(`${this.name} was not started: call start() first`);
    if (!this.#done) this.#child.kill(signal);
  }
}
