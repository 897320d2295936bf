/**
 * Packs every publishable package once per test run, with the script behind
 * `pnpm pack:all` (the packages are already built: turbo builds them before
 * this app's tests). Every test file installs from these tarballs.
 *
 * They are written to `<work>/parapool/packed/`, the layout the README's Quick
 * start assumes: a checkout named `parapool` beside the user's project.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { run } from './run.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder holding `packed/`, as a checkout named `parapool` would. */
    checkout: string;
  }
}

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export default async function setup(project: TestProject): Promise<() => void> {
  const work = mkdtempSync(join(tmpdir(), 'parapool-pack-'));
  const checkout = join(work, 'parapool');
  await run(process.execPath, [join(repo, 'scripts', 'pack.mjs'), '--out', join(checkout, 'packed')], repo);
  project.provide('checkout', checkout);
  return () => rmSync(work, { recursive: true, force: true });
}
