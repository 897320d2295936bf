/**
 * Seeds 001/004: start several `Process`es, join them, read their exit codes.
 * A `Process` is always an OS process (from @parapool/child-process); then the
 * same targets run as tasks of a pool on `--backend`, where a worker that
 * exits fails only its own call (Python's Pool would hang).
 *
 *   pnpm --filter @parapool/examples processes -- --backend tinypool
 */
import { Process } from '@parapool/child-process';
import { exampleArgs, report } from '../cli.js';
import { tasks } from './tasks.js';

const { createPool, backend } = await exampleArgs();

// The first example of the docs: one process, started and joined.
const p = new Process({ target: tasks.greet, args: ['bob'] });
p.start();
await p.join();

// Five processes ending five ways.
const targets = {
  exitError: tasks.exitError,
  exitOk: tasks.exitOk,
  returnValue: tasks.returnValue,
  raises: tasks.raises,
  terminated: tasks.terminated,
};
const jobs = Object.entries(targets).map(([name, target]) => {
  console.log('Starting process for', name);
  const job = new Process({ target, name });
  job.start();
  return job;
});
jobs.at(-1)?.terminate();
const exitCodes: Record<string, number | null> = {};
for (const job of jobs) {
  await job.join();
  console.log(`${job.name.padStart(15)}.exitCode = ${job.exitCode}`);
  exitCodes[job.name] = job.exitCode;
}
report('exitCodes', exitCodes);

// The same targets as pool tasks.
await using pool = createPool({ processes: 2 });
const outcomes: Record<string, string> = {};
for (const [name, target] of Object.entries(targets)) {
  if (name === 'terminated') continue;
  if (name === 'exitError' && !pool.capabilities.isolatesCrashes) {
    // The inline backend runs tasks in this very process: process.exit() would end the program.
    outcomes[name] = `skipped: ${backend} does not isolate crashes`;
    continue;
  }
  try {
    outcomes[name] = `returned ${JSON.stringify(await pool.apply(target as () => unknown))}`;
  } catch (error) {
    const { name: errorName, message, exitCode } = error as Error & { exitCode?: number | null };
    outcomes[name] =
      exitCode === undefined ? `threw ${errorName}: ${message}` : `threw ${errorName} (exit code ${exitCode})`;
  }
  console.log(`${name.padStart(15)} in a pool on ${backend}: ${outcomes[name]}`);
}
report('poolOutcomes', outcomes);
