/**
 * The many-machines example as a user runs it: its own redis-server and two
 * parapool-worker processes, the howmany seed across them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { checksum } from '../src/cli.js';
import { makeData } from '../src/howmany/data.js';
import { tasks as howmany } from '../src/howmany/tasks.js';

const root = fileURLToPath(new URL('..', import.meta.url));

it('many-machines: the howmany counts across two hosts equal the sequential ones', async () => {
  const rows = 5000;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['dist/many-machines/main.js', '--rows', String(rows)],
    {
      cwd: root,
      timeout: 100_000,
    },
  );
  const reported: Record<string, unknown> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([\w+-]+): ([[{"\d-].*)$/.exec(line);
    if (match?.[1] && match[2]) reported[match[1]] = JSON.parse(match[2]);
  }
  const counts = makeData(rows).map((row) => howmany.howmanyWithinRange(row, 4, 8));
  expect(reported.hosts).toBe(2);
  expect(reported.processes).toBe(2);
  expect(reported.starmap).toEqual({ rows, first: counts.slice(0, 10), checksum: checksum(counts) });
});
