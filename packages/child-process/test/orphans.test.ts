import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeOrphans } from '@parapool/conformance';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isRunning, until } from './helpers/children.js';

const PARENT = fileURLToPath(new URL('./fixtures/orphan-parent.js', import.meta.url));
const started: ChildProcess[] = [];
/** Where busy workers say they hold a job. */
const scratch = mkdtempSync(join(tmpdir(), 'parapool-orphans-'));
const workers: number[] = [];

/** Starts the parent program and reads the pids of its 2 workers. */
async function startParent(
  mode: 'idle' | 'busy' | 'forget',
): Promise<{ parent: ChildProcess; exited: Promise<unknown[]>; pids: number[] }> {
  const parent = spawn(process.execPath, [PARENT, mode, scratch], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(parent, 'exit');
  started.push(parent);
  let out = '';
  parent.stdout?.setEncoding('utf8');
  parent.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  await until(() => out.includes('\n'), 60_000, 'the parent to report its workers');
  const pids = JSON.parse(out.slice(0, out.indexOf('\n'))) as number[];
  workers.push(...pids);
  expect(pids).toHaveLength(2);
  return { parent, exited, pids };
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  // Whatever happened, leave nothing running.
  for (const child of started.splice(0)) child.kill('SIGKILL');
  for (const pid of workers.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

/** A safety net against a hang, not a measure of speed: under load, starting processes takes long. */
const TIMEOUT = 150_000;

describe('no orphan processes', () => {
  it(
    'idle workers exit when their parent is killed with SIGKILL',
    async () => {
      const { parent, pids } = await startParent('idle');
      expect(pids.every(isRunning)).toBe(true);
      parent.kill('SIGKILL');
      await until(() => !pids.some(isRunning), 60_000, 'the orphaned workers to exit');
    },
    TIMEOUT,
  );

  it(
    'busy workers exit when their parent is killed with SIGKILL',
    async () => {
      const { parent, pids } = await startParent('busy');
      parent.kill('SIGKILL');
      await until(() => !pids.some(isRunning), 60_000, 'the orphaned workers to exit');
    },
    TIMEOUT,
  );

  it(
    'a program that never closes its pool still exits when its work is done, and so do its workers',
    async () => {
      const { exited, pids } = await startParent('forget');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      await until(() => !pids.some(isRunning), 60_000, 'the workers to exit');
    },
    TIMEOUT,
  );
});

// The shared check: idle workers, and workers stuck in `for (;;);` whose IPC channel's close they never hear.
describeOrphans('child-process', new URL('../dist/index.js', import.meta.url));
