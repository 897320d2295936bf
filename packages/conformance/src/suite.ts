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
  map: mapFeature,
  asyncResult: asyncResultFeature,
  imap: imapFeature,
  errors: errorsFeature,
  values: valuesFeature,
  transfer: transferFeature,
  classCalls: registeredClassCallsFeature,
  abort: abortFeature,
  cancellation: cancellationFeature,
  lifecycle: lifecycleFeature,
  workers: workersFeature,
  insights: insightsFeature,
  timeouts: timeoutsFeature,
  taskSignal: taskSignalFeature,
  retries: retriesFeature,
  memory: memoryFeature,
} as const;

/**
 * Declares the whole conformance suite for one backend.
 *
 * @param name the backend's name (what `pool.backend` reports)
 * @param factory builds a pool of that backend from pool options
 */
export function describeConformance(name: string, factory: PoolFactory): void {
  describe(`${name}: Pool contract`, () => {
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
