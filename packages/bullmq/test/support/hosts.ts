/**
 * `parapool-worker` host processes for tests: real OS processes running the
 * built CLI, their output captured in a log file (so a passing run prints nothing).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE } from './roots.js';

/** The built parapool-worker. */
export const CLI = join(PACKAGE, 'dist', 'cli.js');

export interface HostOptions {
  readonly redis: string;
  readonly queue: string;
  readonly root: string;
  readonly concurrency?: number;
  readonly allowInline?: boolean;
  readonly backend?: string;
  /** More flags. */
  readonly args?: readonly string[];
  /** Runs the command another way (inside a network namespace: `ip netns exec <ns> node ...`). */
  readonly wrap?: (command: string, args: readonly string[]) => [string, string[]];
}

/** Flags that make a dead host's chunks move on within seconds (the defaults are 30 s). */
export const FAST_RECOVERY = ['--lock-duration', '4000', '--stalled-interval', '1000', '--heartbeat', '1000'];

export interface HostProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** What the host printed so far. */
  log(): string;
  /** SIGTERM, then waits for the exit (the graceful stop). */
  stop(): Promise<number | NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** Starts a host and waits until it serves the queue. */
export async function startHost(options: HostOptions, timeoutMs = 20_000): Promise<HostProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-host-log-'));
  const logFile = join(dir, 'host.log');
  const fd = openSync(logFile, 'a');
  const args = [
    CLI,
    '--redis',
    options.redis,
    '--queue',
    options.queue,
    '--root',
    options.root,
    '--concurrency',
    String(options.concurrency ?? 1),
    ...(options.allowInline ? ['--allow-inline'] : []),
    ...(options.backend ? ['--backend', options.backend] : []),
    ...(options.args ?? []),
  ];
  const [command, commandArgs] = options.wrap ? options.wrap(process.execPath, args) : [process.execPath, args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', fd, fd], cwd: options.root });
  closeSync(fd);
  // The global teardown ends, by pid, any host a failed test left behind.
  if (process.env.PARAPOOL_TEST_PIDS && child.pid) appendFileSync(process.env.PARAPOOL_TEST_PIDS, `${child.pid}\n`);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  void exited.then(() => setTimeout(() => rmSync(dir, { recursive: true, force: true }), 60_000).unref());
  const host: HostProcess = {
    pid: child.pid as number,
    child,
    exited,
    log,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stop: () => host.kill('SIGTERM'),
  };
  const deadline = Date.now() + timeoutMs;
  while (!log().includes(': serving ')) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`parapool-worker exited before serving: ${log()}`);
    }
    if (Date.now() > deadline) {
      await host.kill('SIGKILL');
      throw new Error(`parapool-worker did not start within ${timeoutMs} ms: ${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return host;
}
