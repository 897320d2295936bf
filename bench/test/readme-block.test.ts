import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { README_END, README_START, updateReadme } from '../src/readme.js';
import type { BenchResults } from '../src/results.js';

const results: BenchResults = {
  version: 1,
  date: '2026-11-22T00:00:00.000Z',
  command: 'pnpm bench --processes 2',
  machine: {
    cpus: 2,
    availableParallelism: 2,
    cpuModel: 'Test CPU',
    memoryGiB: 8,
    platform: 'linux',
    arch: 'x64',
    node: 'v20.0.0',
    loadAverage: [0.5, 0.5, 0.5],
  },
  options: { processes: 2, repeat: 5 },
  sizes: {},
  subjects: [
    { name: 'sequential', kind: 'sequential', available: true },
    { name: 'piscina', kind: 'parapool', available: true },
  ],
  workloads: [
    {
      name: 'cpu-bound',
      title: 'cpu-bound',
      description: '',
      measurements: [
        {
          workload: 'cpu-bound',
          subject: 'piscina',
          kind: 'parapool',
          method: 'map',
          items: 32,
          status: 'ok',
          timesMs: [340],
          medianMs: 340,
          speedup: 1.9,
        },
      ],
    },
  ],
  targets: [],
  ok: true,
  durationS: 1,
};

describe('README figures block', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replaces only what is between the markers, with the chart path relative to the README', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-readme-'));
    const file = join(dir, 'README.md');
    await writeFile(file, `# Title\n\nbefore\n${README_START}\nold figures\n${README_END}\nafter\n`);
    expect(await updateReadme(file, results, join(dir, 'bench', 'results', 'headline.svg'))).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# Title\n\nbefore\n')).toBe(true);
    expect(text.endsWith(`${README_END}\nafter\n`)).toBe(true);
    expect(text).not.toContain('old figures');
    expect(text).toContain('](bench/results/headline.svg)');
    expect(text).toMatch(/\| piscina \| 1\.90× \|/);
    expect(text).toContain('pnpm bench --processes 2');
  });

  it('leaves a README without the markers untouched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-readme-'));
    const file = join(dir, 'README.md');
    await writeFile(file, '# Title\n');
    expect(await updateReadme(file, results, join(dir, 'headline.svg'))).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('# Title\n');
  });
});
