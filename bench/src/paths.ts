import { fileURLToPath } from 'node:url';

/** The bench package's directory (dist/.. or src/..). */
export const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Default directory of results/latest.json, report.html and the charts. */
export const defaultResultsDir = fileURLToPath(new URL('../results', import.meta.url));

/** The READMEs whose figures block `--readme` and `pnpm bench:readme` rewrite. */
export const readmeFiles = [
  fileURLToPath(new URL('../../README.md', import.meta.url)),
  fileURLToPath(new URL('../README.md', import.meta.url)),
];
