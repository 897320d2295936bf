import { fileURLToPath } from 'node:url';

/** The bench package's directory (dist/.. or src/..). */
export const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Where a run writes latest.json, report.html and the charts by default: git-ignored, so a run changes no committed file. */
export const defaultResultsDir = fileURLToPath(new URL('../runs', import.meta.url));

/** The committed snapshot the READMEs show: only `pnpm bench:readme` or `--readme` writes it. */
export const snapshotDir = fileURLToPath(new URL('../results', import.meta.url));

/** The READMEs whose figures block `--readme` and `pnpm bench:readme` rewrite. */
export const readmeFiles = [
  fileURLToPath(new URL('../../README.md', import.meta.url)),
  fileURLToPath(new URL('../README.md', import.meta.url)),
];
