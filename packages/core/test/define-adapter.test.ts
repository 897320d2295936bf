import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentRuntime, defineAdapter, owned, poolFactory, watchWorker } from '../src/adapter.js';
import { UnsupportedRuntimeError, WorkerCrashedError } from '../src/index.js';

interface DemoOptions {
  readonly mode?: 'a' | 'b';
  readonly script?: string;
}

const spawned: DemoOptions[] = [];

class DemoBackend extends defineAdapter({
  name: 'demo-lib',
  package: '@parapool/demo-lib',
  optionsKey: 'demoLib',
  owns: { script: owned.workerScript },
  resolve: (options: DemoOptions) => {
    if (options.mode !== undefined && options.mode !== 'a' && options.mode !== 'b') {
      throw new TypeError("demoLib.mode must be 'a' or 'b'");
    }
    return { mode: options.mode ?? 'a' };
  },
  capabilities: (options) => ({ separateProcesses: options.mode === 'b' }),
  spawn(options, crashed) {
    spawned.push(options);
    const worker = new Worker('process.exit(3)', { eval: true });
    const { online, exited } = watchWorker(worker, crashed);
    return { ready: online, run: () => new Promise(() => {}), stop: () => worker.terminate().then(() => exited) };
  },
}) {}
const createPool = poolFactory(DemoBackend);

describe('defineAdapter', () => {
  it('names the class after the backend and reports the name', async () => {
    // The class defineAdapter makes (an adapter's own subclass has its own name).
    expect(Object.getPrototypeOf(DemoBackend).name).toBe('DemoLibBackend');
    const pool = createPool({ processes: 1 });
    expect(pool.backend).toBe('demo-lib');
    await pool.terminate();
  });

  it('refuses an owned option with the advice, and library options that are not an object', () => {
    expect(() => createPool({ demoLib: { script: 'x.js' } })).toThrow(
      'demoLib.script is set by @parapool/demo-lib and cannot be passed: the adapter runs its own worker entry; name tasks with defineTasks.',
    );
    expect(() => createPool({ demoLib: 5 as never })).toThrow(/^demoLib must be an object of demo-lib's options/);
    expect(() => createPool({ demoLib: [] as never })).toThrow(TypeError);
    expect(() => createPool({ demoLib: { mode: 'c' as never } })).toThrow("demoLib.mode must be 'a' or 'b'");
  });

  it('reads the capabilities from the resolved options', async () => {
    const threads = createPool({ processes: 1 });
    const processes = createPool({ processes: 1, demoLib: { mode: 'b' } });
    expect(threads.capabilities.separateProcesses).toBe(false);
    expect(processes.capabilities.separateProcesses).toBe(true);
    expect(threads.capabilities.stopsRunningJobs).toBe(true);
    await Promise.all([threads.terminate(), processes.terminate()]);
  });

  it('watchWorker reports an exit as WorkerCrashedError with its code; spawn gets the resolved options', async () => {
    spawned.length = 0;
    const pool = createPool({ processes: 1, demoLib: { mode: 'b' } });
    const error = await pool.apply((n: number) => n, [1]).catch((e: unknown) => e);
    // Every start of this worker exits with 3: the pool gives up after three and says why.
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/code 3/);
    expect(spawned[0]).toEqual({ mode: 'b' });
    await pool.terminate();
  });
});

describe('an adapter that does not work on a runtime', () => {
  const RefusingBackend = class extends defineAdapter({
    name: 'picky-lib',
    package: '@parapool/picky-lib',
    optionsKey: 'pickyLib',
    resolve: (options: { mode?: 'here' | 'elsewhere' }) => ({ mode: options.mode ?? 'here' }),
    // Refuses the runtime running this test in mode 'here' only.
    refuses: (options, runtime) =>
      options.mode === 'here'
        ? `picky-lib never answers on ${runtime.name}. Use @parapool/piscina instead.`
        : undefined,
    spawn() {
      throw new Error('a refused backend starts no worker');
    },
  }) {};
  const createPicky = poolFactory(RefusingBackend);

  it('createPool throws UnsupportedRuntimeError naming the package, the runtime and what to use instead', () => {
    const runtime = currentRuntime();
    expect(() => createPicky({ processes: 1 })).toThrow(UnsupportedRuntimeError);
    expect(() => createPicky({ processes: 1 })).toThrow(
      `@parapool/picky-lib does not work on ${runtime.label}: picky-lib never answers on ${runtime.name}. Use @parapool/piscina instead.`,
    );
  });

  it('with options it works with, createPool builds the pool', async () => {
    const pool = createPicky({ processes: 1, pickyLib: { mode: 'elsewhere' } });
    expect(pool.backend).toBe('picky-lib');
    await pool.terminate();
  });
});
