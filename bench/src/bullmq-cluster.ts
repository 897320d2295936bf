/**
 * `--backends bullmq`: a cluster on this machine for the bench — its own
 * redis-server and `--hosts` parapool-worker processes sharing `--processes`
 * slots (2 hosts × 1 on a 2-core machine), from `@parapool/bullmq/local-cluster`.
 * Started on first use, stopped when the bench exits.
 */
import type { Pool, PoolOptions } from '@parapool/core';
import { benchDir } from './paths.js';

let settings = { hosts: 2, processes: 2 };

/** Sets how many hosts the cluster has and how many slots they share (from the command line). */
export function configureBullmqCluster(next: { hosts: number; processes: number }): void {
  settings = next;
}

/**
 * Starts Redis and the hosts; resolves with a createPool bound to them. Throws
 * (the package failed to load, Redis or a host did not start) with the reason.
 */
export async function startBullmqCluster(): Promise<(options: PoolOptions) => Pool> {
  const bullmq = await import('@parapool/bullmq').catch((error: Error) => {
    throw new Error(`@parapool/bullmq failed to load: ${error.message}`);
  });
  const local = await import('@parapool/bullmq/local-cluster');
  // The cluster's processes do not hold the bench open; they are killed when it exits.
  const cluster = await local.startLocalCluster({
    root: benchDir,
    queue: 'bench',
    hosts: settings.hosts,
    concurrency: Math.max(1, Math.floor(settings.processes / settings.hosts)),
    allowInline: true,
    keepsProgramAlive: false,
  });
  return (options) => bullmq.createPool({ ...options, connection: cluster.url, queue: cluster.queue, root: benchDir });
}
