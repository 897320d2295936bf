/**
 * Host roots for tests: each host gets its own copy of the task modules in a
 * temporary folder (so paths differ from the caller's), with the packages the
 * modules import linked in.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package folder (packages/bullmq). */
export const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The conformance package, whose task modules the suite sends. */
export const CONFORMANCE = resolve(PACKAGE, '..', 'conformance');
const CORE = resolve(PACKAGE, '..', 'core');

/**
 * A new root holding copies of `files` (paths relative to `from`), with
 * node_modules/@parapool/core linked to this repository's core.
 */
export function makeRoot(from: string, files: readonly string[], label: string): string {
  const root = mkdtempSync(join(tmpdir(), `parapool-host-${label}-`));
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(from, file), join(root, file), { recursive: true });
  }
  mkdirSync(join(root, 'node_modules', '@parapool'), { recursive: true });
  symlinkSync(CORE, join(root, 'node_modules', '@parapool', 'core'), 'dir');
  return root;
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
