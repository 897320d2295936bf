/**
 * The README's Quick start program on the runtime running this test, run the
 * way the README says for it: Node through tsx, Bun as it is (`bun main.ts`),
 * Deno with `--sloppy-imports`. Its `tasks.ts` and `main.ts` are read from
 * README.md and written to a new folder of this app, so they import the
 * workspace's packages. (apps/pack-test runs the same program from packed
 * tarballs in new npm and pnpm projects; the runtime matrix, scripts/runtimes.mjs,
 * runs this file on every supported runtime.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const app = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const quickStart = readme.slice(
  readme.indexOf('\n## Quick start\n'),
  readme.indexOf('\n## When does parallelism pay?\n'),
);

/** The Quick start's files: the ts blocks whose first line names them (`// tasks.ts`). */
const files = new Map(
  [...quickStart.matchAll(/^```ts\n\/\/ ([\w.-]+\.ts)\n([\s\S]*?)^```$/gm)].map((m) => [
    m[1] as string,
    m[2] as string,
  ]),
);

const versions = process.versions as Record<string, string | undefined>;
const DENO = 'deno run -A --node-modules-dir=manual --sloppy-imports main.ts';
/** How the README runs main.ts on this runtime: the command as written there, and its arguments here. */
const how =
  versions.bun !== undefined
    ? { written: 'bun main.ts', args: ['main.ts'] }
    : versions.deno !== undefined
      ? { written: DENO, args: DENO.split(' ').slice(1) }
      : {
          written: 'npx tsx main.ts',
          args: [createRequire(join(app, 'package.json')).resolve('tsx/cli'), 'main.ts'],
        };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe(`the README Quick start on this runtime (${how.written})`, () => {
  it('is the command the README gives for this runtime', () => {
    expect([...files.keys()].sort()).toEqual(['main.ts', 'tasks.ts']);
    expect(quickStart).toContain(how.written);
  });

  it('prints the counts, and nothing on stderr', async () => {
    const dir = mkdtempSync(join(app, '.quickstart-'));
    dirs.push(dir);
    for (const [name, code] of files) writeFileSync(join(dir, name), code);
    const { stdout, stderr } = await run(process.execPath, how.args, { cwd: dir, timeout: 100_000 });
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('200000 rows counted');
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) {
      const match = /^row (\[[\d,]+\]): (\d+) within \[4, 8\]$/.exec(line);
      expect(match, line).not.toBeNull();
      const row = JSON.parse(match?.[1] ?? '[]') as number[];
      expect(row).toHaveLength(5);
      expect(Number(match?.[2])).toBe(row.filter((n) => n >= 4 && n <= 8).length);
    }
  });
});
