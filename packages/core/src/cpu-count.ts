import { availableParallelism } from 'node:os';

/** Number of CPUs this process may use (`os.availableParallelism()`), Python's `os.cpu_count()`. */
export function cpuCount(): number {
  return availableParallelism();
}
