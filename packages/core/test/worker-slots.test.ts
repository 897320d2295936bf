import { describe, expect, it, vi } from 'vitest';
import { createPool } from '../src/index.js';

describe('WorkerSlots', () => {
  it('starts workers as work needs them: a pool of 100 for three items starts three; the size is warned about once', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation((warning) => {
      warnings.push(String(warning));
    });
    const pool = createPool({ processes: 100 });
    createPool({ processes: 100 }).terminate();
    spy.mockRestore();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/A pool of 100 workers on \d+ cores/);
    expect(pool.insights().workers).toHaveLength(0);
    const slow = async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return n;
    };
    expect(await pool.map(slow, [1, 2, 3], { chunksize: 1 })).toEqual([1, 2, 3]);
    expect(pool.insights().workers).toHaveLength(3);
    // Idle workers are reused before new ones start.
    await pool.map(slow, [4, 5], { chunksize: 1 });
    expect(pool.insights().workers).toHaveLength(3);
    await pool.terminate();
  });
});
