#!/usr/bin/env node
/**
 * `pnpm bench:readme`: takes the last run (bench/runs/latest.json, or the
 * directory given) and makes it the committed snapshot: bench/results
 * (latest.json, report.html, the charts) and the figures block of the READMEs.
 * It runs nothing.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeSnapshot } from './output.js';
import { defaultResultsDir } from './paths.js';
import { README_END, README_START } from './readme.js';
import type { BenchResults } from './results.js';

const dir = process.argv[2] ?? defaultResultsDir;
const file = join(dir, 'latest.json');
let results: BenchResults;
try {
  results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
} catch (error) {
  console.error(
    `Cannot read ${file}: run \`pnpm bench\` first. (${error instanceof Error ? error.message : String(error)})`,
  );
  process.exit(1);
}
if (results.version !== 2) {
  console.error(`${file} is from an older bench (version ${String(results.version)}): run \`pnpm bench\` again.`);
  process.exit(1);
}
const { written, readmes } = await writeSnapshot(results);
const show = (path: string) => relative(process.cwd(), path);
console.log(
  `wrote ${[written.json, written.html, written.charts.headline, written.charts.limit].map(show).join(', ')}`,
);
if (readmes.length === 0) {
  console.log(`No README has the markers. Add these two lines where the figures go:\n${README_START}\n${README_END}`);
} else {
  console.log(`updated ${readmes.map(show).join(', ')}`);
}
