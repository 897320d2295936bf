import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readmeFiles, snapshotDir } from './paths.js';
import { updateReadme, writeCharts } from './readme.js';
import { renderReport } from './report-html.js';
import type { BenchResults } from './results.js';

/** What writeResults wrote. */
export interface Written {
  readonly json: string;
  readonly html: string;
  readonly charts: { headline: string; limit: string };
}

/** Writes latest.json, report.html and the headline charts into `outDir`; returns their paths. */
export async function writeResults(results: BenchResults, outDir: string): Promise<Written> {
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, 'latest.json');
  const html = join(outDir, 'report.html');
  // Single calls' times stay out (2,000 calls a run: megabytes); their percentiles are in `calls`.
  const withoutCalls = (key: string, value: unknown) => (key === 'callsMs' ? undefined : value);
  await writeFile(json, `${JSON.stringify(results, withoutCalls, 2)}\n`);
  await writeFile(html, await renderReport(results));
  const charts = await writeCharts(results, outDir);
  return { json, html, charts };
}

/**
 * The committed snapshot: the run's files into `dir` (default bench/results)
 * and the figures block of every README in `readmes` that has the markers.
 * Returns what it wrote and the READMEs updated.
 */
export async function writeSnapshot(
  results: BenchResults,
  dir: string = snapshotDir,
  readmes: readonly string[] = readmeFiles,
): Promise<{ written: Written; readmes: string[] }> {
  const written = await writeResults(results, dir);
  const updated: string[] = [];
  for (const file of readmes) if (await updateReadme(file, results, written.charts)) updated.push(file);
  return { written, readmes: updated };
}
