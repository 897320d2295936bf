/**
 * Each adapter, installed alone: @parapool/core and the adapter, from the
 * tarballs this test run packed (test/global-setup.ts), installed with plain
 * npm into a fresh project outside the workspace; then an ESM script, a
 * CommonJS script, and a TypeScript program that uses a typed task module,
 * compiled with tsc and run with node. Every package as the release rehearsal
 * published it (test/release.ts) passes publint --strict and attw (ESM-only
 * profile: the packages are ESM, and Node >= 20.19 `require()`s them), and
 * holds what `pnpm pack:all` packs.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from './run.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(here, 'node_modules', '.bin', name);

/** Every adapter of the repository's one list (backends.json). */
const ADAPTERS = (
  JSON.parse(readFileSync(new URL('../../../backends.json', import.meta.url), 'utf8')) as {
    backends: Array<{ name: string }>;
  }
).backends.map((backend) => backend.name);

/** One npm cache for every install, kept between runs: third-party deps come from the registry once. */
const npmCache = join(tmpdir(), 'parapool-pack-test-npm-cache');
const npmArgs = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--cache=${npmCache}`];
/** @types/node for the TypeScript check: the version the workspace uses. */
const typesNode = `@types/node@${(createRequire(join(here, 'package.json'))('@types/node/package.json') as { version: string }).version}`;

let work: string;
/** The tarball of a package, packed once for the whole test run. */
const tarball = (name: string) => join(inject('checkout'), 'packed', `parapool-${name}.tgz`);

/** Runs `tasks` with at most `limit` at once. */
async function pooled<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'parapool-installed-alone-'));
  // One fresh project per adapter, outside the workspace, holding only the two tarballs (and @types/node).
  await pooled(
    2,
    ADAPTERS.map((adapter) => async () => {
      const project = join(work, `project-${adapter}`);
      cpSync(join(here, 'fixtures', 'project'), project, { recursive: true });
      for (const file of ['esm.js', 'cjs.cjs', 'ts/main.ts']) {
        const path = join(project, file);
        writeFileSync(path, readFileSync(path, 'utf8').replaceAll('__ADAPTER__', adapter));
      }
      await run('npm', ['install', ...npmArgs, tarball('core'), tarball(adapter), typesNode], project);
    }),
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The tarball the release rehearsal published (its latest version, downloaded from the registry). */
const published = (name: string) => join(inject('published'), `parapool-${name}.tgz`);
const { second: releasedVersion } = inject('rehearsal');

/** The files of a tarball, and its package.json with this package's version and @parapool ranges set to `version`. */
async function contents(file: string, version: string): Promise<{ files: string[]; manifest: string }> {
  const { stdout } = await run('tar', ['-tzf', file], here);
  const { stdout: json } = await run('tar', ['-xzOf', file, 'package/package.json'], here);
  const manifest = JSON.parse(json) as Record<string, unknown>;
  manifest.version = version;
  for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
    const deps = manifest[field] as Record<string, string> | undefined;
    if (!deps) continue;
    // In name order: pnpm writes the ranges it replaced in an order of its own, not always the same.
    manifest[field] = Object.fromEntries(
      Object.entries(deps)
        .map(([dep, range]) => [dep, dep.startsWith('@parapool/') ? `^${version}` : range])
        .sort(([a], [b]) => (a as string).localeCompare(b as string)),
    );
  }
  return { files: stdout.split('\n').filter(Boolean).sort(), manifest: JSON.stringify(manifest, null, 1) };
}

/** Every public package the rehearsal published (core, the adapters, bullmq, conformance). */
const RELEASED = inject('rehearsal').published.map((name) => name.replace(/^@parapool\//, ''));

describe.concurrent.each(RELEASED)('@parapool/%s as published to the registry', (name) => {
  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['run', published(name), '--strict'], here);
    expect(stdout).toContain('All good!');
  });

  it('ships the MIT LICENSE its package.json names', async () => {
    const { stdout } = await run('tar', ['-xzOf', published(name), 'package/LICENSE'], here);
    expect(stdout).toBe(readFileSync(join(here, '..', '..', 'LICENSE'), 'utf8'));
  });

  it('passes attw with the ESM-only profile: types resolve for import and for require', async () => {
    await run(bin('attw'), [published(name), '--profile', 'esm-only', '--format', 'ascii'], here);
  });

  it('its files are in the tarball `pnpm pack:all` packs (tested below), its package.json the same but for the version', async () => {
    const packed = await contents(tarball(name), releasedVersion);
    const released = await contents(published(name), releasedVersion);
    // Every published file is in the packed tarball. Not the other way round: in a working checkout the
    // packed one may hold more, files of an older build that turbo left in dist/ when it restored a
    // cached build over it (a fresh clone has none; `rm -rf packages/*/dist && pnpm build --force`).
    expect(packed.files, 'the files pack:all packed').toEqual(expect.arrayContaining(released.files));
    expect(released.files).toEqual(expect.arrayContaining(['package/LICENSE', 'package/dist/index.d.ts']));
    expect(released.manifest).toBe(packed.manifest);
  });
});

describe.concurrent.each(ADAPTERS)('@parapool/%s installed alone with npm', (adapter) => {
  const project = () => join(work, `project-${adapter}`);

  it('holds only @parapool/core and the adapter from the workspace', () => {
    expect(readdirSync(join(project(), 'node_modules', '@parapool')).sort()).toEqual(['core', adapter].sort());
  });

  it('re-exports everything of @parapool/core, with its own createPool', async () => {
    const check = [
      "import * as core from '@parapool/core';",
      `import * as adapter from '@parapool/${adapter}';`,
      'const missing = Object.keys(core).filter((name) => name !== "createPool" && adapter[name] !== core[name]);',
      'console.log(JSON.stringify({ missing, ownCreatePool: adapter.createPool !== core.createPool }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', check], project());
    expect(JSON.parse(stdout)).toEqual({ missing: [], ownCreatePool: true });
  });

  it('runs an ESM script', async () => {
    const { stdout } = await run(process.execPath, ['esm.js'], project());
    expect(JSON.parse(stdout)).toEqual({
      backend: adapter,
      squares: [1, 4, 9, 16],
      inline: [2, 3],
      sum: 5,
      cpus: true,
    });
  });

  it('runs a CommonJS script with require()', async () => {
    const { stdout } = await run(process.execPath, ['cjs.cjs'], project());
    expect(JSON.parse(stdout)).toEqual({ backend: adapter, cubes: [1, 8, 27], starred: [6, 20] });
  });

  it('compiles a TypeScript program that uses a typed task module; the compiled program runs with node', async () => {
    await run(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'ts'], project());
    const { stdout } = await run(process.execPath, [join('ts', 'dist', 'main.js')], project());
    expect(JSON.parse(stdout)).toEqual({
      backend: adapter,
      norms: [5, 5],
      labels: ['#1'],
      one: '#2',
      later: '#3',
      terminated: 'PoolTerminatedError',
    });
  });
});
