/**
 * The release, rehearsed (test/global-setup.ts, test/release.ts): `pnpm version-packages` and
 * `pnpm release` published every public package to a real registry (Verdaccio) from a copy of the
 * repository; then a changeset patching @parapool/core, released the same way. Checked here against
 * what the registry serves, and by installing from it with npm as a user would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Packument } from './registry.js';
import { run, userEnv } from './run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const rehearsal = inject('rehearsal');
const { first, second } = rehearsal;
const config = JSON.parse(readFileSync(join(repo, '.changeset', 'config.json'), 'utf8')) as {
  fixed: string[][];
  updateInternalDependencies: string;
};

async function packument(name: string): Promise<Packument> {
  const response = await fetch(new URL(name.replace('/', '%2f'), rehearsal.registry));
  expect(response.status, `GET ${name}`).toBe(200);
  return (await response.json()) as Packument;
}

/** major.minor.patch of a plain version. */
const parts = (version: string) => {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a plain version: ${version}`);
  return match.slice(1).map(Number) as [number, number, number];
};

const npmCache = join(tmpdir(), 'parapool-pack-test-npm-cache');
/** A user's shell: the @parapool scope from the rehearsal's registry (its userconfig), nothing of this run. */
const env = userEnv(repo, {
  npm_config_userconfig: rehearsal.userconfig,
  npm_config_cache: npmCache,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});
const npm = (args: string[], cwd: string) => run('npm', [...args, '--loglevel=error'], cwd, env);
const installed = (project: string, name: string) =>
  (JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function project(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `parapool-${name}-`));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  return dir;
}

describe('the release rehearsal', () => {
  it('left the repository as it was: its package.json files and changelogs, .changeset/, and ~/.npmrc', () => {
    const { before, after } = inject('untouched');
    expect(after).toBe(before);
  });

  it('published every public package at the version the pending changesets give, then at the patch', () => {
    expect(rehearsal.published.length).toBeGreaterThanOrEqual(3);
    expect(rehearsal.published).toContain('@parapool/core');
    const [major, minor, patch] = parts(first);
    expect(major + minor + patch).toBeGreaterThan(0);
    expect(parts(second)).toEqual([major, minor, patch + 1]);
    expect(rehearsal.output[0]).toMatch(/published/i);
  });

  it.each(rehearsal.published)('the registry serves %s at both versions, the patch as latest', async (name) => {
    const doc = await packument(name);
    expect(Object.keys(doc.versions).sort()).toEqual([first, second].sort());
    expect(doc['dist-tags'].latest).toBe(second);
  });

  it.each(rehearsal.published)(
    '%s: no workspace: range is published; each @parapool/* range is ^ its own release',
    async (name) => {
      const doc = await packument(name);
      for (const version of [first, second]) {
        const manifest = doc.versions[version];
        const ranges = { ...manifest?.dependencies, ...manifest?.peerDependencies };
        expect(JSON.stringify(ranges)).not.toContain('workspace:');
        for (const [dep, range] of Object.entries(ranges)) {
          if (dep.startsWith('@parapool/')) expect(range, `${name}@${version} → ${dep}`).toBe(`^${version}`);
        }
      }
    },
  );

  it('a patch to core alone moved every package of the fixed group, and every dependant now needs the new core', async () => {
    // What .changeset/config.json asks for: one fixed group of every @parapool package.
    expect(config.fixed).toEqual([['@parapool/*']]);
    const dependants: string[] = [];
    for (const name of rehearsal.published) {
      const manifest = (await packument(name)).versions[second];
      if (manifest?.dependencies?.['@parapool/core']) dependants.push(name);
      expect(manifest?.version).toBe(second);
    }
    expect(dependants.length).toBe(rehearsal.published.length - 1);
    expect(dependants).not.toContain('@parapool/core');
  });

  it("@parapool/bullmq's optional peers are every adapter a host's --backend offers (backends.json)", async () => {
    const adapters = (
      JSON.parse(readFileSync(join(repo, 'backends.json'), 'utf8')) as { backends: Array<{ name: string }> }
    ).backends.map(({ name }) => `@parapool/${name}`);
    const manifest = (await packument('@parapool/bullmq')).versions[second];
    const peers = Object.keys(manifest?.peerDependencies ?? {}).filter((name) => name.startsWith('@parapool/'));
    expect(peers.sort()).toEqual(adapters.sort());
  });

  it('tagged each package at each version in git, as `changeset publish` does', () => {
    const expected = rehearsal.published.flatMap((name) => [`${name}@${first}`, `${name}@${second}`]);
    expect(rehearsal.tags).toEqual(expected.sort());
  });

  it('npm install of the new adapter in a project holding the old one pulls the new core', async () => {
    const dir = project('upgrade');
    // The project as it was after the first release: the adapter and core at that version, in its lockfile.
    await npm(['install', `@parapool/piscina@${first}`, `@parapool/core@${first}`], dir);
    await npm(['uninstall', '@parapool/core'], dir);
    expect([installed(dir, '@parapool/piscina'), installed(dir, '@parapool/core')]).toEqual([first, first]);
    await npm(['install', '@parapool/piscina@latest'], dir);
    expect([installed(dir, '@parapool/piscina'), installed(dir, '@parapool/core')]).toEqual([second, second]);
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { createPool } from '@parapool/piscina'; const pool = createPool(); console.log(pool.backend, await pool.map((x) => x * 2, [1, 2])); await pool.terminate();",
      ],
      dir,
      env,
    );
    expect(stdout.trim()).toBe('piscina [ 2, 4 ]');
  }, 300_000);
});
