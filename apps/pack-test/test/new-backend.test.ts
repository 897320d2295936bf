/**
 * `pnpm new-backend <name>` out of the box: the package it writes builds,
 * type-checks and passes the whole conformance suite. It is scaffolded into a
 * copy of the monorepo's shape in a temporary directory, its dependencies
 * linked to this workspace's, so the real workspace is never touched.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scaffold = join(repo, 'scripts', 'new-backend', 'index.mjs');
const NAME = 'scaffold-check';

let root: string;
let pkg: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parapool-new-backend-'));
  for (const file of ['tsconfig.base.json', 'backends.json', 'README.md', 'LICENSE'])
    cpSync(join(repo, file), join(root, file));
  await run(process.execPath, [scaffold, NAME, '--root', root, '--no-install'], root);
  pkg = join(root, 'packages', NAME);
  // What `pnpm install` would link: the workspace's own packages and tools.
  for (const dep of ['@parapool/core', '@parapool/conformance', 'typescript', 'vitest', 'tsx', '@types/node']) {
    const link = join(pkg, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(here, 'node_modules', dep)), link, 'dir');
  }
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('pnpm new-backend', () => {
  it('writes the package (Backend, worker entry, adapter test, README, LICENSE) and a changeset', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'src/backend.ts',
      'src/worker.ts',
      'src/index.ts',
      'test/adapter.test.ts',
    ]) {
      expect(existsSync(join(pkg, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe(`@parapool/${NAME}`);
    const backend = readFileSync(join(pkg, 'src/backend.ts'), 'utf8');
    expect(backend).toContain('export class ScaffoldCheckBackend extends defineAdapter({');
    expect(backend).toContain("optionsKey: 'scaffoldCheck'");
    const index = readFileSync(join(pkg, 'src/index.ts'), 'utf8');
    expect(index).toContain("export * from '@parapool/core';");
    expect(index).toContain('poolFactory(ScaffoldCheckBackend)');
    expect(readFileSync(join(pkg, 'README.md'), 'utf8')).toMatch(
      /^# @parapool\/scaffold-check\n\n```sh\nnpm install @parapool\/scaffold-check\n```/,
    );
    expect(readFileSync(join(root, '.changeset', `add-${NAME}.md`), 'utf8')).toContain(`'@parapool/${NAME}': minor`);
  });

  it("adds the backend's line to backends.json, and its row to the README's table", () => {
    const { backends } = JSON.parse(readFileSync(join(root, 'backends.json'), 'utf8')) as {
      backends: Array<{ name: string }>;
    };
    expect(backends.at(-1)?.name).toBe(NAME);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(
      `| [\`@parapool/${NAME}\`](packages/${NAME}) | backend over ${NAME} |`,
    );
  });

  it('refuses a name that is not a package name, and a package that exists', async () => {
    await expect(run(process.execPath, [scaffold, 'Bad_Name', '--root', root, '--no-install'], root)).rejects.toThrow(
      /not a valid backend name/,
    );
    await expect(run(process.execPath, [scaffold, NAME, '--root', root, '--no-install'], root)).rejects.toThrow(
      /already exists/,
    );
  });

  it('builds and type-checks', async () => {
    const tsc = join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], pkg);
    expect(existsSync(join(pkg, 'dist', 'index.js'))).toBe(true);
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], pkg);
  });

  it('passes the whole conformance suite', async () => {
    const vitest = join(pkg, 'node_modules', 'vitest', 'vitest.mjs');
    const { stdout } = await run(process.execPath, [vitest, 'run', '--reporter=dot'], pkg);
    expect(stdout).toMatch(/Tests\s+\d+ passed \(\d+\)/);
    expect(stdout).not.toMatch(/failed|skipped/);
  }, 300_000);
});
