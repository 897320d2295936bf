/**
 * Each adapter, installed alone: `pnpm pack` @parapool/core and the adapter,
 * install only those two tarballs with plain npm into a fresh project outside
 * the workspace, then run an ESM script, a CommonJS script, and type-check a
 * TypeScript program that uses a typed task module. Every published package
 * also passes publint --strict and attw (ESM-only profile: the packages are
 * ESM, and Node >= 20.19 `require()`s them).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));
const bin = (name: string) => join(here, 'node_modules', '.bin', name);

const ADAPTERS = ['piscina', 'tinypool', 'threads', 'child-process', 'workerpool'] as const;
const PUBLISHED = ['core', ...ADAPTERS] as const;

/** One npm cache for every install, kept between runs: third-party deps come from the registry once. */
const npmCache = join(tmpdir(), 'parapool-pack-test-npm-cache');
const npmArgs = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--cache=${npmCache}`];
/** @types/node for the TypeScript check: the version the workspace uses. */
const typesNode = `@types/node@${(createRequire(join(here, 'package.json'))('@types/node/package.json') as { version: string }).version}`;

let work: string;
const tarballs = new Map<string, string>();

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
  work = mkdtempSync(join(tmpdir(), 'parapool-pack-'));
  mkdirSync(join(work, 'tarballs'));
  // Each package is packed once, the way `pnpm publish` would (workspace:^ becomes a version range).
  await pooled(
    2,
    PUBLISHED.map((name) => async () => {
      const { version } = JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8')) as { version: string };
      await run('pnpm', ['pack', '--pack-destination', join(work, 'tarballs')], join(packages, name));
      tarballs.set(name, join(work, 'tarballs', `parapool-${name}-${version}.tgz`));
    }),
  );
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
      const install = [tarballs.get('core') as string, tarballs.get(adapter) as string, typesNode];
      await run('npm', ['install', ...npmArgs, ...install], project);
    }),
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.concurrent.each(PUBLISHED)('@parapool/%s as published', (name) => {
  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['run', tarballs.get(name) as string, '--strict'], here);
    expect(stdout).toContain('All good!');
  });

  it('passes attw with the ESM-only profile', async () => {
    await run(bin('attw'), [tarballs.get(name) as string, '--profile', 'esm-only', '--format', 'ascii'], here);
  });
});

describe.concurrent.each(ADAPTERS)('@parapool/%s installed alone with npm', (adapter) => {
  const project = () => join(work, `project-${adapter}`);

  it('holds only @parapool/core and the adapter from the workspace', () => {
    expect(readdirSync(join(project(), 'node_modules', '@parapool')).sort()).toEqual(['core', adapter].sort());
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

  it('type-checks a TypeScript program that uses a typed task module', async () => {
    await run(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'ts'], project());
  });
});
