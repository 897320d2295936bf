/**
 * Failures nobody handles surface as Node's unhandled rejections do: checked in
 * a real child process, where Node's own handling decides the exit code.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../dist/index.js', import.meta.url).href;

/** Runs an ES module program that has `createPool` (the inline pool) in scope. */
function run(body: string): { status: number | null; stderr: string } {
  const program = `const { createPool } = await import(${JSON.stringify(CORE)});\n${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: child.status, stderr: child.stderr };
}

describe('unhandled failures', () => {
  it('a failing map that nobody awaits is an unhandled rejection: the program exits with code 1', () => {
    const { status, stderr } = run(`
      const pool = createPool({ processes: 1 });
      pool.map((n) => { throw new RangeError('nobody awaits ' + n); }, [1]);
    `);
    expect(status).toBe(1);
    expect(stderr).toContain('nobody awaits 1');
  });

  it('a failing starmap and apply that nobody awaits are unhandled rejections too', () => {
    for (const call of [
      'starmap((a) => { throw new Error("star " + a); }, [[7]])',
      'apply((a) => { throw new Error("star " + a); }, [7])',
    ]) {
      const { status, stderr } = run(`createPool({ processes: 1 }).${call};`);
      expect(status).toBe(1);
      expect(stderr).toContain('star 7');
    }
  });

  it("a throwing callback whose AsyncResult nobody reads is an unhandled rejection with the callback's error", () => {
    const { status, stderr } = run(`
      const pool = createPool({ processes: 1 });
      pool.applyAsync((n) => n, [1], { callback: () => { throw new Error('callback bug'); } });
    `);
    expect(status).toBe(1);
    expect(stderr).toContain('callback bug');
  });

  it('handled failures stay quiet: an awaited map in try/catch, a failed AsyncResult read later with get()', () => {
    const { status, stderr } = run(`
      const pool = createPool({ processes: 1 });
      try { await pool.map((n) => { throw new Error('caught ' + n); }, [1]); } catch {}
      const result = pool.applyAsync((n) => { throw new Error('read later'); }, [1]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await result.get().catch((e) => e);
      if (error.message !== 'read later') process.exit(3);
      const cb = pool.applyAsync((n) => n, [1], { callback: () => { throw new Error('awaited callback'); } });
      if ((await cb.get().catch((e) => e)).message !== 'awaited callback') process.exit(4);
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});

describe('inline backend: isolatesCrashes is false', () => {
  it('a task that exits the process takes the caller down with it (no worker boundary to contain it)', () => {
    const { status } = run(`
      const pool = createPool({ processes: 1 });
      if (pool.capabilities.isolatesCrashes) process.exit(9);
      await pool.apply(() => process.exit(3));
      process.exit(0);
    `);
    expect(status).toBe(3);
  });
});
