import { WorkerCrashedError } from '@parapool/core';

/**
 * A worker process died before it was ready to take work: it could not start
 * (a bad `execArgv` flag, a missing `cwd`, a broken `--import`, ...). A kind of
 * `WorkerCrashedError`.
 */
export class WorkerStartupError extends WorkerCrashedError {
  override name = 'WorkerStartupError';
  constructor(details: { exitCode: number | null; signal: NodeJS.Signals | null; error?: Error | undefined }) {
    super(details);
    const how = details.error
      ? `could not be spawned (${details.error.message})`
      : details.signal !== null
        ? `was killed by ${details.signal}`
        : `exited with code ${details.exitCode}`;
    this.message = `A worker process ${how} before it was ready, so it could not start. Check the childProcess options (execArgv, env, cwd) and the worker's stderr output; after 3 failed starts in a row the pool stops respawning and tries again on the next call.`;
    if (details.error) this.cause = details.error;
  }
}
