import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createPool } from '../dist/index.js';

const run = promisify(execFile);
const program = fileURLToPath(new URL('./fixtures/no-close.js', import.meta.url));

describe('@parapool/workerpool', () => {
  it.each(['thread', 'process'])('a program that never closes a %s pool still exits once idle', async (workerType) => {
    const { stdout } = await run(process.execPath, [program, workerType], { timeout: 20_000 });
    expect(stdout.trim()).toBe('[2,4,6]');
  });

  it('declares separate processes only for workerType process', async () => {
    const threads = createPool({ processes: 1 });
    const processes = createPool({ processes: 1, workerpool: { workerType: 'process' } });
    try {
      expect(threads.capabilities.separateProcesses).toBe(false);
      expect(processes.capabilities.separateProcesses).toBe(true);
    } finally {
      await Promise.all([threads.terminate(), processes.terminate()]);
    }
  });

  it('refuses the options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ workerpool: { maxWorkers: 4 } as never })).toThrow(/processes/);
    expect(() => createPool({ workerpool: { workerType: 'web' } })).toThrow(/browsers/);
  });
});
