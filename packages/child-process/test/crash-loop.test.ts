/**
 * Crash-and-replace, repeated: every kind of death a worker can die, twice
 * over, must leave exactly the pool's workers alive, and a pool that serves.
 * Two rounds prove the replacement does not leak or double up; more would
 * only stress the machine. The pool runs in a process of its own
 * (fixtures/crash-scenarios.ts), so the stacks its dying workers print are
 * captured and checked here, not shown.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from './helpers/scenario.js';

const ROUNDS = 2;

describe('crash-and-replace cycles', () => {
  it(`after ${ROUNDS} rounds of crashes (exit, uncaught exception, SIGKILL from outside) the live children are exactly the pool's 2; terminate() leaves none`, async () => {
    const { report, stderr } = await runScenario('crash-loop', String(ROUNDS));
    expect(report.crashes.map((crash) => crash.kind)).toEqual(
      Array.from({ length: ROUNDS }, () => ['exit', 'uncaught', 'SIGKILL']).flat(),
    );
    for (const { kind, error } of report.crashes) {
      expect(error, kind).toMatchObject({ name: 'WorkerCrashedError', crashed: true });
      if (kind === 'exit') expect(error.exitCode, kind).toBe(7);
      if (kind === 'uncaught') expect(error.exitCode, kind).toBe(1);
      if (kind === 'SIGKILL') expect(error.signal, kind).toBe('SIGKILL');
    }
    expect(report.settled.live).toEqual(report.settled.pids);
    expect(report.settled.live).toHaveLength(2);
    // And the pool still serves.
    expect(report.served).toEqual([1, 4, 9, 16]);
    expect(report.afterTerminate).toEqual([]);
    // Each uncaught exception printed its stack on the worker's stderr, once.
    expect(stderr.match(/^Error: uncaught, outside the task$/gm)).toHaveLength(ROUNDS);
  }, 240_000);
});
