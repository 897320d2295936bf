/**
 * One Redis and two hosts for the conformance suite (started before any test
 * file is collected, since the suite builds a pool while it is declared). Each
 * host has its own copy of the conformance task modules under a different root.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CLI, type HostProcess, startHost } from './hosts.js';
import { startRedis } from './redis-server.js';
import { CONFORMANCE, makeRoot, removeRoot } from './roots.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Redis of this test run. */
    redisUrl: string;
    /** The queue the two conformance hosts serve. */
    conformanceQueue: string;
  }
}

/** Ends the hosts a failed test may have left running (each by its pid, if still alive). */
function endLeftovers(file: string): void {
  const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      // Only if that pid is still one of our hosts (pids are reused once a process is gone).
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(CLI)) continue;
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone (or no /proc: the tests' own cleanup is all there is)
    }
  }
  rmSync(dirname(file), { recursive: true, force: true });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'parapool-test-pids-')), 'hosts');
  writeFileSync(pidFile, '');
  process.env.PARAPOOL_TEST_PIDS = pidFile;
  const redis = await startRedis();
  const roots = ['a', 'b'].map((label) => makeRoot(CONFORMANCE, ['dist', 'fixtures'], label));
  const queue = 'conformance';
  let hosts: HostProcess[] = [];
  try {
    hosts = await Promise.all(
      roots.map((root) =>
        startHost({
          redis: redis.url,
          queue,
          root,
          concurrency: 1,
          allowInline: true,
          args: ['--heartbeat', '500', '--lock-duration', '10000', '--stalled-interval', '5000'],
        }),
      ),
    );
  } catch (error) {
    await Promise.all(hosts.map((host) => host.kill('SIGKILL')));
    await redis.dispose();
    throw error;
  }
  project.provide('redisUrl', redis.url);
  project.provide('conformanceQueue', queue);
  return async () => {
    await Promise.all(hosts.map((host) => host.stop()));
    endLeftovers(pidFile);
    await redis.dispose();
    for (const root of roots) removeRoot(root);
  };
}
