/**
 * `@parapool/bullmq/local-cluster`: a real redis-server and real host
 * processes on this machine, started and stopped by the helper.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPool } from '../dist/index.js';
import { startLocalCluster } from '../dist/local-cluster.js';
import { CALLER_ROOT, faultTasks } from './support/tasks.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command lines of this process's children. */
function childProcesses(): string[] {
  try {
    return execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('ps '));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function gone(pids: readonly number[]): Promise<boolean> {
  for (let i = 0; i < 200 && pids.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  return !pids.some(alive);
}

describe('startLocalCluster', () => {
  it('starts Redis and hosts that all serve one pool; stop() ends every process', async () => {
    const cluster = await startLocalCluster({ root: CALLER_ROOT, hosts: 2, queue: 'local-cluster' });
    let pids: readonly number[] = [];
    try {
      expect(cluster.hostPids).toHaveLength(2);
      await using pool = createPool({ connection: cluster.url, queue: cluster.queue, root: CALLER_ROOT });
      await pool.ready();
      // Every host announced itself before the cluster was handed over.
      expect(
        pool
          .hosts()
          .map((h) => h.pid)
          .sort(),
      ).toEqual([...cluster.hostPids].sort());
      expect(pool.processes).toBe(2);
      expect(await pool.map(faultTasks.identity, [1, 2, 3])).toEqual([1, 2, 3]);
      pids = cluster.hostPids;
    } finally {
      await cluster.stop();
    }
    expect(await gone(pids)).toBe(true);
  });

  it('a host that cannot start rejects with the end of its log, and nothing is left running', async () => {
    const failed = startLocalCluster({ root: CALLER_ROOT, hosts: 1, hostArgs: ['--backend', 'no-such-backend'] });
    const error = (await failed.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/host 1 exited while starting \(exit code \d+\)/);
    expect(error.message).toContain('--backend must be one of');
    expect(childProcesses().filter((args) => args.startsWith('redis-server') || args.includes('cli.js'))).toEqual([]);
  });

  it('with keepsProgramAlive: false, a program that forgets stop() still exits, and takes the cluster with it', async () => {
    const script = [
      "import { startLocalCluster } from '@parapool/bullmq/local-cluster';",
      `const cluster = await startLocalCluster({ root: ${JSON.stringify(CALLER_ROOT)}, hosts: 1, keepsProgramAlive: false });`,
      'console.log(JSON.stringify(cluster.hostPids));',
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: CALLER_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(await gone(JSON.parse(stdout) as number[])).toBe(true);
  });

  it('with keepsProgramAlive: false, a program that awaits stop() sees it end (the stop keeps it alive)', async () => {
    const script = [
      "import { startLocalCluster } from '@parapool/bullmq/local-cluster';",
      `const cluster = await startLocalCluster({ root: ${JSON.stringify(CALLER_ROOT)}, hosts: 1, keepsProgramAlive: false });`,
      'await cluster.stop();',
      "console.log('stopped');",
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: CALLER_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe('stopped');
  });

  it('bad options are errors that say what to pass', async () => {
    // @ts-expect-error root is required
    await expect(startLocalCluster({})).rejects.toThrow(/needs \{ root \}/);
    await expect(startLocalCluster({ root: CALLER_ROOT, hosts: 0 })).rejects.toThrow(RangeError);
  });

  it("keeps the hosts' logs in its folder, which stop() removes", async () => {
    const cluster = await startLocalCluster({ root: CALLER_ROOT, hosts: 1 });
    expect(existsSync(join(cluster.dir, 'host-1.log'))).toBe(true);
    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
