import { afterEach, describe, expect, it, vi } from 'vitest';
import { Process } from '../dist/index.js';
import { classTasks, Point } from './fixtures/classes.js';
import { tasks } from './fixtures/tasks.js';

const started: Process[] = [];
function track<P extends Process>(p: P): P {
  started.push(p);
  return p;
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const p of started.splice(0)) {
    if (p.isAlive()) {
      p.kill();
      await p.join();
    }
  }
});

/** Collects what is written to this process's stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  let text = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

describe('Process', () => {
  it('runs a task handle in its own OS process; exitCode is 0 on success', async () => {
    const p = track(new Process({ target: tasks.square, args: [3] }));
    expect(p.pid).toBeUndefined();
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(false);
    p.start();
    expect(p.pid).toBeTypeOf('number');
    expect(p.pid).not.toBe(process.pid);
    expect(p.isAlive()).toBe(true);
    await p.join();
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(0);
  });

  it('runs a self-contained inline function with its args', async () => {
    const p = track(
      new Process({
        target: (a: number, b: number) => {
          if (a + b !== 3) throw new Error(`expected 1 + 2, got ${a} + ${b}`);
        },
        args: [1, 2],
      }),
    );
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('a target that throws sets exitCode 1 and prints its stack on stderr, as Python does', async () => {
    const p = track(new Process({ target: tasks.fail, args: ['target failed'], name: 'failing' }));
    const err = await stderrOf(async () => {
      p.start();
      await p.join();
    });
    expect(p.exitCode).toBe(1);
    expect(err).toContain(`Process failing (pid ${p.pid})`);
    expect(err).toContain('Error: target failed');
    expect(err).toMatch(/\n\s+at /); // the stack, not just the message
  });

  it('an async target that rejects also exits with 1', async () => {
    const p = track(new Process({ target: async () => Promise.reject(new RangeError('async failure')) }));
    const err = await stderrOf(async () => {
      p.start();
      await p.join();
    });
    expect(p.exitCode).toBe(1);
    expect(err).toContain('RangeError: async failure');
  });

  it('exitCode is the code a target passes to process.exit()', async () => {
    const p = track(new Process({ target: tasks.exit, args: [3] }));
    p.start();
    await p.join();
    expect(p.exitCode).toBe(3);
  });

  it('terminate() ends it with SIGTERM: exitCode is -15', async () => {
    const p = track(new Process({ target: tasks.sleep, args: [60_000] }));
    p.start();
    p.terminate();
    await p.join();
    expect(p.exitCode).toBe(-15);
    expect(p.isAlive()).toBe(false);
  });

  it('kill() ends it with SIGKILL: exitCode is -9', async () => {
    const p = track(new Process({ target: tasks.sleep, args: [60_000] }));
    p.start();
    p.kill();
    await p.join();
    expect(p.exitCode).toBe(-9);
  });

  it('join(timeoutMs) returns after the timeout while the process still runs', async () => {
    const p = track(new Process({ target: tasks.sleep, args: [60_000] }));
    p.start();
    await p.join(50);
    expect(p.isAlive()).toBe(true);
    expect(p.exitCode).toBeNull();
  });

  it('an argument of a registered class arrives in the process as an instance of that class', async () => {
    const p = track(new Process({ target: classTasks.checkPoint, args: [new Point(3, 4), 5] }));
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('gets default names Process-<n>', () => {
    const a = new Process({ target: tasks.pid });
    const b = new Process({ target: tasks.pid });
    expect(a.name).toMatch(/^Process-\d+$/);
    expect(Number(b.name.slice('Process-'.length))).toBe(Number(a.name.slice('Process-'.length)) + 1);
  });

  it('refuses misuse with clear errors: start twice, join or kill before start, uncloneable args, a native target', async () => {
    const p = track(new Process({ target: tasks.square, args: [2] }));
    await expect(p.join()).rejects.toThrow(/not started: call start\(\)/);
    expect(() => p.kill()).toThrow(/not started/);
    p.start();
    expect(() => p.start()).toThrow(/only be started once/);
    await p.join();
    p.kill(); // after exit: nothing to do, like Python

    const q = new Process({ target: tasks.echo, args: [() => 1] });
    expect(() => q.start()).toThrow(expect.objectContaining({ name: 'CloneError' }));
    expect(q.pid).toBeUndefined();
    expect(() => new Process({ target: Math.max })).toThrow(TypeError);
  });
});
