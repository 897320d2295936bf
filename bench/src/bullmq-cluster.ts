/**
 * `--backends bullmq`: a cluster on this machine for the bench — its own
 * redis-server and `--hosts` parapool-worker processes sharing `--processes`
 * slots (2 hosts × 1 on a 2-core machine), from `@parapool/bullmq/local-cluster`.
 * Started on first use, stopped when the bench exits.
 */
import type { PoolOptions } from '@parapool/core';
import { type LoadedBackend, unavailable } from './backends.js';
import { benchDir } from './paths.js';

let settings = { hosts: 2, processes: 2 };

/** Sets how many hosts the cluster has and how many slots they share (from the command line). */
export function configureBullmqCluster(next: { hosts: number; processes: number }): void {
  settings = next;
}

/** Starts Redis and the hosts, and gives a createPool bound to them; never throws. */
export async function loadBullmq(): Promise<LoadedBackend> {
  let bullmq: typeof import('@parapool/bullmq');
  let local: typeof import('@parapool/bullmq/local-cluster');
  try {
    bullmq = await import('@parapool/bullmq');
    local = await import('@parapool/bullmq/local-cluster');
  } catch (error) {
    return unavailable('bullmq', `@parapool/bullmq failed to load: ${(error as Error).message}`);
  }
  try {
    // The cluster's processes do not hold the bench open; they are killed when it exits.
    const cluster = await local.startLocalCluster({
      root: benchDir,
      queue: 'bench',
      hosts: settings.hosts,
      concurrency: Math.max(1, Math.floor(settings.processes / settings.hosts)),
      allowInline: true,
      keepsProgramAlive: false,
    });
    return {
      id: 'bullmq',
      label: 'bullmq',
      kind: 'parapool',
      available: true,
      createPool: (options: PoolOptions) =>
        bullmq.createPool({ ...options, connection: cluster.url, queue: cluster.queue, root: benchDir }),
    };
  } catch (error) {
    return unavailable('bullmq', (error as Error).message);
  }
}
