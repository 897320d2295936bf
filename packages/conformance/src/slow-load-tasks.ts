/**
 * A task module that takes a while to load, as a big module or one compiled by tsx does: its top level
 * keeps the thread busy for 300 ms and records how long that took, measured inside the module. The
 * insights test checks that loading it is counted as the worker's start-up, not as the job's work.
 * Imported only by that test (dynamically), so no other test pays for it.
 */
import { defineTasks } from '@parapool/core';

const started = performance.now();
while (performance.now() - started < 300) {
  // busy: loading
}
const loadedIn = performance.now() - started;

export const slowLoad = defineTasks(import.meta.url, {
  /** How long this module's top level took to run, in the worker that runs this. */
  loadedIn: (_item?: unknown) => loadedIn,
});
