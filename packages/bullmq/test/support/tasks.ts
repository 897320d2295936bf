/** The test task modules, typed for the tests, and host roots holding copies of them. */
import { faultTasks } from '../fixtures/fault-tasks.js';
import { makeRoot, PACKAGE } from './roots.js';

export { otherTasks } from '../fixtures/other-tasks.js';
export { faultTasks };

/** The caller's root for the fixtures: this package (they sit under test/fixtures). */
export const CALLER_ROOT = PACKAGE;

/** A host root with its own copy of the fault tasks (and the other module too, if asked). */
export function faultRoot(label: string, withOther = false): string {
  const files = ['test/fixtures/fault-tasks.js', ...(withOther ? ['test/fixtures/other-tasks.js'] : [])];
  return makeRoot(PACKAGE, files, label);
}
