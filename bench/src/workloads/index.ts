import type { WorkloadId } from '../ids.js';
import type { Workload } from '../workload.js';
import { applyRoundTripWorkload } from './apply-round-trip.js';
import { coldStartWorkload } from './cold-start.js';
import { cpuBoundWorkload } from './cpu-bound.js';
import { crossoverWorkload } from './crossover.js';
import { howmanyWorkload } from './howmany.js';
import { ioBoundWorkload } from './io-bound.js';
import { sharedMemoryWorkload } from './shared-memory.js';
import { sortWorkload } from './sort.js';
import { squareWorkload } from './square.js';

/** Every workload, in the order they run. */
export const workloads: readonly Workload[] = [
  howmanyWorkload,
  squareWorkload,
  applyRoundTripWorkload,
  cpuBoundWorkload,
  ioBoundWorkload,
  sortWorkload,
  sharedMemoryWorkload,
  crossoverWorkload,
  coldStartWorkload,
];

/** Workload names, for --workloads. */
export const workloadNames: readonly WorkloadId[] = workloads.map((w) => w.name);
