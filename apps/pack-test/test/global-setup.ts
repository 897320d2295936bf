/**
 * Once per test run, before any test file:
 *
 * - packs every publishable package with the script behind `pnpm pack:all`
 *   (the packages are already built: turbo builds them before this app's
 *   tests), into `<work>/parapool/packed/`, the layout the README's Quick start
 *   from a checkout assumes: a checkout named `parapool` beside the project;
 * - starts a real npm registry (Verdaccio, test/registry.ts) and rehearses two
 *   releases to it from a copy of the repository (test/release.ts), then
 *   downloads what the registry serves as each package's latest version into
 *   `<work>/published/` for the tarball checks.
 *
 * The registry keeps running for the test files (installs as a published user
 * would) and is stopped at the end.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startRegistry } from './registry.js';
import { publicPackages, type Rehearsal, rehearseRelease } from './release.js';
import { run } from './run.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder holding `packed/`, as a checkout named `parapool` would. */
    checkout: string;
    /** The release rehearsal: the registry, the versions published. */
    rehearsal: Rehearsal;
    /** The latest published tarball of each public package, `<work>/published/parapool-<name>.tgz`. */
    published: string;
    /** What the rehearsal could have changed (versions, changelogs, .changeset/, ~/.npmrc), before it and after. */
    untouched: { before: string; after: string };
  }
}

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * What a rehearsal could change and must leave as it was: every package's package.json and
 * CHANGELOG.md (what `changeset version` writes), .changeset/ (what it deletes), ~/.npmrc (what a
 * login writes). Not the whole working tree: a developer may edit files while the tests run.
 */
async function repositoryState(): Promise<string> {
  const hash = (file: string) => {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      return '(none)';
    }
  };
  const packages = publicPackages(repo).map(({ dir, name, version }) => ({
    name,
    version,
    manifest: hash(join(dir, 'package.json')),
    changelog: hash(join(dir, 'CHANGELOG.md')),
  }));
  const { stdout: listed } = await run('git', ['ls-files', '-co', '--exclude-standard', '.changeset'], repo);
  const changesets = listed
    .split('\n')
    .filter(Boolean)
    .map((file) => `${file} ${hash(join(repo, file))}`);
  return JSON.stringify({ packages, changesets, npmrc: hash(join(homedir(), '.npmrc')) }, null, 1);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const work = mkdtempSync(join(tmpdir(), 'parapool-pack-'));
  const checkout = join(work, 'parapool');
  await run(process.execPath, [join(repo, 'scripts', 'pack.mjs'), '--out', join(checkout, 'packed')], repo);
  project.provide('checkout', checkout);

  const before = await repositoryState();
  const registry = await startRegistry(join(work, 'registry'));
  const stop = async () => {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const rehearsal = await rehearseRelease(repo, registry, join(work, 'release'));
    const published = join(work, 'published');
    mkdirSync(published);
    for (const name of rehearsal.published) {
      const packument = await registry.packument(name);
      const latest = packument.versions[packument['dist-tags'].latest ?? ''];
      if (!latest) throw new Error(`${name} has no latest version on the registry`);
      const response = await fetch(latest.dist.tarball);
      if (!response.ok) throw new Error(`GET ${latest.dist.tarball}: ${response.status}`);
      writeFileSync(
        join(published, `${name.slice(1).replace('/', '-')}.tgz`),
        Buffer.from(await response.arrayBuffer()),
      );
    }
    project.provide('rehearsal', rehearsal);
    project.provide('published', published);
    project.provide('untouched', { before, after: await repositoryState() });
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
