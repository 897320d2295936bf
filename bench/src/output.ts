import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readmeFiles } from './paths.js';
import { updateReadme, writeHeadline } from './readme.js';
import { renderReport } from './report-html.js';
import type { BenchResults } from './results.js';

/** Writes latest.json, report.html and headline.svg into `outDir`; returns their paths. */
export async function writeResults(
  results: BenchResults,
  outDir: string,
): Promise<{ json: string; html: string; chart: string }> {
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, 'latest.json');
  const html = join(outDir, 'report.html');
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(html, await renderReport(results));
  const chart = await writeHeadline(results, outDir);
  return { json, html, chart };
}

/** Rewrites the figures block of every README that has the markers; returns the ones updated. */
export async function updateReadmes(results: BenchResults, chart: string): Promise<string[]> {
  const updated: string[] = [];
  for (const file of readmeFiles) if (await updateReadme(file, results, chart)) updated.push(file);
  return updated;
}
