/**
 * Never a silent end: an imap nobody reads is ended, with a warning, when its
 * pool is disposed or when join() waits for it with nothing else left to run.
 * Checked in a real child process, where Node itself decides how the program
 * ends (before: exit code 13, or 0 from an async main, printing nothing and
 * skipping everything after the pool's scope).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../dist/index.js', import.meta.url).href;

/** Runs an ES module program that has `createPool` (the inline pool) in scope. */
function run(body: string): { status: number | null; stdout: string; stderr: string } {
  const program = `const { createPool } = await import(${JSON.stringify(CORE)});\n${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const WARNING = '[PARAPOOL_UNREAD_ITERATOR] Warning: pool.imap';

describe('an imap nobody reads', () => {
  it('is ended with a warning at the end of its `await using` scope, and the program goes on after the scope', () => {
    const { status, stdout, stderr } = run(`
      {
        await using pool = createPool({ processes: 1 });
        pool.imap(function double(n) { return n * 2; }, [1, 2, 3]);
      }
      console.log('after the scope');
    `);
    expect(status).toBe(0);
    expect(stdout).toBe('after the scope\n');
    expect(stderr).toContain(`${WARNING}(inline) was ended unread when its pool was disposed`);
    expect(stderr).toContain('none of its results had been read');
  });

  it('is ended the same way after the "use for await" TypeError was caught', () => {
    const { status, stdout, stderr } = run(`
      {
        await using pool = createPool({ processes: 1 });
        const results = pool.imap(function double(n) { return n * 2; }, [1, 2, 3]);
        try {
          for (const x of results) console.log(x);
        } catch (error) {
          console.log(error.name);
        }
      }
      console.log('after the scope');
    `);
    expect(status).toBe(0);
    expect(stdout).toBe('TypeError\nafter the scope\n');
    expect(stderr).toContain(`${WARNING}(inline) was ended unread when its pool was disposed`);
  });

  it('says how much was read, and a late read rejects with a PoolStateError saying why', () => {
    const { status, stdout, stderr } = run(`
      let results;
      {
        await using pool = createPool({ processes: 1 });
        results = pool.imapUnordered(function double(n) { return n * 2; }, [1, 2, 3, 4, 5, 6]);
        await results.next();
        await results.next();
      }
      const late = await results.next().catch((error) => error);
      console.log(late.name, late.message.includes('2 of its results had been read, and the rest were dropped'));
    `);
    expect(status).toBe(0);
    expect(stdout).toBe('PoolStateError true\n');
    expect(stderr).toContain('[PARAPOOL_UNREAD_ITERATOR] Warning: pool.imapUnordered(inline) was ended unread');
  });

  it('read to its end (or left with break) ends the scope quietly, also without asking for the final done', () => {
    const { status, stdout, stderr } = run(`
      {
        await using pool = createPool({ processes: 1 });
        const all = [];
        for await (const x of pool.imap((n) => n * 2, [1, 2, 3])) all.push(x);
        for await (const x of pool.imap((n) => n * 2, [1, 2, 3])) break;
        const results = pool.imap((n) => n * 2, [1, 2]);
        all.push((await results.next()).value, (await results.next()).value);
        console.log(all.join(' '));
      }
      console.log('after the scope');
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe('2 4 6 2 4\nafter the scope\n');
  });

  it('is ended with a warning when join() waits for it and the program has nothing else to do, and the program goes on', () => {
    const { status, stdout, stderr } = run(`
      async function main() {
        const pool = createPool({ processes: 1 });
        const results = pool.imap(function double(n) { return n * 2; }, [1, 2, 3]);
        console.log((await results.next()).value);
        pool.close();
        await pool.join();
        console.log('after join');
      }
      main();
    `);
    expect(status).toBe(0);
    expect(stdout).toBe('2\nafter join\n');
    expect(stderr).toContain(
      `${WARNING}(inline) was ended unread because pool.join() waited for it and the program had nothing else to do`,
    );
  });

  it('read by its consumer at its own pace while join() waits is left to finish, quietly', () => {
    const { status, stdout, stderr } = run(`
      const pool = createPool({ processes: 1 });
      const results = pool.imap((n) => n * 2, [1, 2, 3, 4]);
      pool.close();
      const joined = pool.join();
      const all = [];
      for await (const x of results) {
        all.push(x);
        await new Promise((resolve) => setTimeout(resolve, 20)); // a slow consumer
      }
      await joined;
      console.log(all.join(' '));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toBe('2 4 6 8\n');
  });
});
