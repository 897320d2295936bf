import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { README_END, README_START, updateReadme } from '../src/readme.js';
import { resultsOf, row } from './fixtures.js';

const results = resultsOf(
  [
    row('cpu-bound', 'piscina', 'map', 340, { items: 32, speedup: 1.9 }),
    row('howmany', 'limit', 'map', 20),
    row('howmany', 'piscina', 'map', 30, { vsLimit: 1.5 }),
  ],
  {
    recommendations: [
      {
        work: 'cpu-bound',
        title: 'CPU-bound work, big items',
        choice: 'piscina',
        tied: [],
        text: 'piscina: 1.90× the loop.',
      },
    ],
  },
);

const charts = (dir: string) => ({
  headline: join(dir, 'bench', 'results', 'headline.svg'),
  limit: join(dir, 'bench', 'results', 'limit.svg'),
});

describe('README figures block', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replaces only what is between the markers, with the chart paths relative to the README', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-readme-'));
    const file = join(dir, 'README.md');
    await writeFile(file, `# Title\n\nbefore\n${README_START}\nold figures\n${README_END}\nafter\n`);
    expect(await updateReadme(file, results, charts(dir))).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# Title\n\nbefore\n')).toBe(true);
    expect(text.endsWith(`${README_END}\nafter\n`)).toBe(true);
    expect(text).not.toContain('old figures');
    expect(text).toContain('](bench/results/headline.svg)');
    expect(text).toContain('](bench/results/limit.svg)');
    expect(text).toMatch(/\| piscina \| 1\.90× \| 30\.0 ms \(1\.50× limit\) \|/);
    expect(text).toContain('| limit (hand-written bare worker_threads) | — | 20.0 ms |');
    expect(text).toContain('- **CPU-bound work, big items**: piscina: 1.90× the loop.');
    expect(text).toContain('pnpm bench --processes 2');
  });

  it('leaves a README without the markers untouched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-readme-'));
    const file = join(dir, 'README.md');
    await writeFile(file, '# Title\n');
    expect(await updateReadme(file, results, charts(dir))).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('# Title\n');
  });
});
