/** The whole conformance suite: every feature of the contract, declared for one backend. */
import { type Pool, UnsupportedRuntimeError } from '@parapool/core';
import { currentRuntime } from '@parapool/core/adapter';
import { describe, expect, it } from 'vitest';
import { createContext, type PoolFactory } from './context.js';
import { abortFeature } from './features/abort.js';
import { asyncResultFeature } from './features/async-result.js';
import { cancellationFeature } from './features/cancellation.js';
import { errorsFeature } from './features/errors.js';
import { imapFeature } from './features/imap.js';
import { insightsFeature } from './features/insights.js';
import { lifecycleFeature } from './features/lifecycle.js';
import { mapFeature } from './features/map.js';
import { memoryFeature } from './features/memory.js';
import { retriesFeature } from './features/retries.js';
import { taskSignalFeature } from './features/task-signal.js';
import { timeoutsFeature } from './features/timeouts.js';
import { transferFeature } from './features/transfer.js';
import { registeredClassCallsFeature, valuesFeature } from './features/values.js';
import { workersFeature } from './features/workers.js';

/** Every feature of the contract, in the order the suite runs them. */
export const features = {
  /** map, starmap and apply: results in order, chunking, the *Async forms. */
  map: mapFeature,
  /** AsyncResult: get, wait, ready, successful, callbacks. */
  asyncResult: asyncResultFeature,
  /** imap and imapUnordered: lazy inputs, order, early exit. */
  imap: imapFeature,
  /** Task errors: what a throwing task fails, and with what. */
  errors: errorsFeature,
  /** What crosses the worker boundary: errors whole, uncloneable values, shared memory, registered classes. */
  values: valuesFeature,
  /** Values marked with `transfer()`: moved where the backend declares `transfers`, copied elsewhere. */
  transfer: transferFeature,
  /** Registered classes in arguments and results. */
  classCalls: registeredClassCallsFeature,
  /** AbortSignal: a call's `signal` drops queued jobs and stops running ones where the backend can. */
  abort: abortFeature,
  /** Cancellation: after a fail-fast, a break out of imap or an abort, chunks not yet started never start and workers are freed. */
  cancellation: cancellationFeature,
  /** close, join, terminate, and `await using`. */
  lifecycle: lifecycleFeature,
  /** Workers: processes, initializer, maxtasksperchild, crash replacement. */
  workers: workersFeature,
  /** Insights and worker events. */
  insights: insightsFeature,
  /** timeout and taskSignal(): a task past its time fails with TaskTimeoutError. */
  timeouts: timeoutsFeature,
  /** taskSignal(): a task's signal aborts when its caller aborts, its call fails fast, or the pool terminates. */
  taskSignal: taskSignalFeature,
  /** retries: a call whose worker died runs again on a fresh one, up to its bound; bad input refused. */
  retries: retriesFeature,
  /** maxmemoryperchild: a worker above the bound after a job is recycled (refused on Bun). */
  memory: memoryFeature,
} as const;

/** The timeout of each test of the suite: only a hang should reach it (see describeConformance). */
const SUITE_TEST_TIMEOUT_MS = 120_000;

/**
 * Declares the whole conformance suite for one backend.
 *
 * @param name the backend's name (what `pool.backend` reports)
 * @param factory builds a pool of that backend from pool options
 */
export function describeConformance(name: string, factory: PoolFactory): void {
  // A test's own bounds (each `until` waits at most 10–20 s, and a test may wait for several: a worker started,
  // replaced, a barrier reached) are its timing checks; the test's timeout only ends a hang, so it must exceed their
  // sum on a loaded machine. At 30 s, two tests that wait for a worker to be replaced ran out of it in CI at load 24.
  describe(`${name}: Pool contract`, { timeout: SUITE_TEST_TIMEOUT_MS }, () => {
    let probe: Pool;
    try {
      probe = factory({ processes: 1 });
    } catch (error) {
      if ((error as Error | null)?.name !== 'UnsupportedRuntimeError') throw error;
      refusalFeature(error as Error, factory);
      return;
    }
    const ctx = createContext(name, factory, probe);
    for (const feature of Object.values(features)) feature(ctx);
  });
}

/**
 * A backend that does not work on this runtime refuses it at createPool: the
 * suite of that backend is then this one test, which the runtime matrix
 * (scripts/runtimes.mjs) reports as a refusal, with the error's message.
 */
function refusalFeature(refusal: Error, factory: PoolFactory): void {
  it(`refuses this runtime at createPool: ${refusal.message}`, () => {
    expect(refusal).toBeInstanceOf(UnsupportedRuntimeError);
    expect(refusal.message).toContain(currentRuntime().label);
    expect(refusal.message).toMatch(/\buse\b/i);
    // Every createPool refuses the same way: never a pool that would hang or crash the caller.
    expect(() => factory({ processes: 2 })).toThrow(refusal.message);
  });
}
