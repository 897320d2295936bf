import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSnapshot } from '../src/output.js';
import { benchDir, defaultResultsDir, snapshotDir } from '../src/paths.js';
import { README_END, README_START } from '../src/readme.js';
import { resultsOf, row } from './fixtures.js';

describe('where a run writes', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes to a folder of its own by default, not to the committed snapshot', () => {
    expect(defaultResultsDir).not.toBe(snapshotDir);
    expect(relative(benchDir, snapshotDir)).toBe('results');
    expect(relative(benchDir, defaultResultsDir)).toBe('runs');
  });

  it('keeps that default folder out of git', async () => {
    const probe = join(defaultResultsDir, 'latest.json');
    // git check-ignore exits 0 when the path is ignored.
    const { stdout } = await promisify(execFile)('git', ['check-ignore', probe], { cwd: benchDir });
    expect(stdout.trim()).toBe(probe);
    await expect(
      promisify(execFile)('git', ['check-ignore', join(snapshotDir, 'latest.json')], { cwd: benchDir }),
    ).rejects.toThrow();
  });

  it('makes a snapshot (files and README block) only where it is told to', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-snapshot-'));
    const readme = join(dir, 'README.md');
    await writeFile(readme, `# x\n${README_START}\nold figures\n${README_END}\n`);
    const results = resultsOf([row('howmany', 'piscina', 'map', 40)]);
    const { written, readmes } = await writeSnapshot(results, join(dir, 'results'), [readme]);
    expect(readmes).toEqual([readme]);
    for (const file of [written.json, written.html, written.charts.headline, written.charts.limit]) {
      expect((await stat(file)).size).toBeGreaterThan(0);
    }
    const text = await readFile(readme, 'utf8');
    expect(text).toContain('](results/headline.svg)');
    expect(text).toContain('](results/limit.svg)');
    expect(text).not.toContain('old figures');
  });
});
