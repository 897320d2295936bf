/**
 * No orphans: a backend's worker processes end when the program that made the
 * pool is killed, whatever their tasks are doing. Checked with real processes
 * and a real SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { until } from './context.js';

const PARENT = fileURLToPath(new URL('../fixtures/orphan-parent.mjs', import.meta.url));

/**
 * A safety net against a hang, not a measure of speed: the workers end within
 * about 0.2 s of their parent; starting processes on 2 busy cores takes long.
 */
const ORPHAN_EXIT_MS = 15_000;
const TEST_TIMEOUT = 120_000;

/** Whether a process exists and is not a zombie (an exited child nobody reaped yet). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Declares the orphan tests for one backend whose workers are processes:
 * a parent program makes a pool of 2 with `createPool` from `module` (the
 * adapter's entry, a file URL) and `options` (JSON), and is killed with
 * SIGKILL while its workers are idle, and while both run `for (;;);`; each
 * time both workers must end. Linux only (it reads `/proc`).
 *
 * @example
 * describeOrphans('workerpool', new URL('../dist/index.js', import.meta.url), { workerpool: { workerType: 'process' } });
 */
export function describeOrphans(name: string, module: URL, options: Record<string, unknown> = {}): void {
  describe.skipIf(process.platform !== 'linux')(`${name}: no orphan processes`, () => {
    const started: ChildProcess[] = [];
    const workers: number[] = [];
    const dirs: string[] = [];
    afterEach(() => {
      // Whatever happened, leave nothing running.
      for (const child of started.splice(0)) child.kill('SIGKILL');
      for (const pid of workers.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    });
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    async function startParent(mode: 'idle' | 'spin'): Promise<{ parent: ChildProcess; pids: number[] }> {
      const dir = mkdtempSync(join(tmpdir(), 'parapool-orphans-'));
      dirs.push(dir);
      const parent = spawn(process.execPath, [PARENT, module.href, JSON.stringify(options), mode, dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      started.push(parent);
      let out = '';
      let err = '';
      parent.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      parent.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        err += chunk;
      });
      const exited = once(parent, 'exit');
      await Promise.race([
        until(() => out.includes('\n'), 90_000, 'the parent to report its workers'),
        exited.then(([code]) => {
          throw new Error(`the parent program exited (${code}) before reporting its workers: ${err}`);
        }),
      ]);
      const pids = JSON.parse(out.slice(0, out.indexOf('\n'))) as number[];
      workers.push(...pids);
      expect(pids).toHaveLength(2);
      expect(pids.every(isRunning)).toBe(true);
      expect(err).toBe('');
      return { parent, pids };
    }

    it(
      'idle workers end when the program that made the pool is killed with SIGKILL',
      async () => {
        const { parent, pids } = await startParent('idle');
        parent.kill('SIGKILL');
        await until(() => !pids.some(isRunning), ORPHAN_EXIT_MS, 'the orphaned idle workers to end');
      },
      TEST_TIMEOUT,
    );

    it(
      'workers stuck in `for (;;);` end when the program that made the pool is killed with SIGKILL',
      async () => {
        const { parent, pids } = await startParent('spin');
        parent.kill('SIGKILL');
        await until(() => !pids.some(isRunning), ORPHAN_EXIT_MS, 'the orphaned spinning workers to end');
      },
      TEST_TIMEOUT,
    );
  });
}
