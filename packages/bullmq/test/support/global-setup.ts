/**
 * One Redis and two hosts for the conformance suite (started before any test
 * file is collected, since the suite builds a pool while it is declared). Each
 * host has its own copy of the conformance task modules under a different root.
 */
import type { TestProject } from 'vitest/node';
import { type HostProcess, startHost } from './hosts.js';
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
    await redis.dispose();
    for (const root of roots) removeRoot(root);
  };
}
