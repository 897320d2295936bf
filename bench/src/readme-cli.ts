#!/usr/bin/env node
/**
 * `pnpm bench:readme`: regenerates the headline chart and the figures block of
 * the READMEs from results/latest.json, without running the bench again.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { updateReadmes } from './output.js';
import { defaultResultsDir } from './paths.js';
import { README_END, README_START, writeHeadline } from './readme.js';
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
const chart = await writeHeadline(results, dir);
const updated = await updateReadmes(results, chart);
console.log(`wrote ${relative(process.cwd(), chart)}`);
if (updated.length === 0) {
  console.log(`No README has the markers. Add these two lines where the figures go:\n${README_START}\n${README_END}`);
} else {
  console.log(`updated ${updated.map((f) => relative(process.cwd(), f)).join(', ')}`);
}
