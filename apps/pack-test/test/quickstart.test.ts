/**
 * The README's Quick start, as a new user follows it. Its code blocks are read
 * from README.md itself: the commands that make a new npm project and a new
 * pnpm project beside a checkout named `parapool`, `tasks.ts`, `main.ts`,
 * `tsconfig.json`, and the two ways to run it (tsx; tsc, then node). Each is
 * run as written, in a temporary directory outside this repository, against
 * the tarballs that `pnpm pack:all`'s script made for this test run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { codeBlocks, fileBlocks, onlyBlock, quickStart } from './readme.js';
import { run, userEnv } from './run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const blocks = codeBlocks(quickStart(join(repo, 'README.md')));
const sh = blocks.filter((block) => block.lang === 'sh').map((block) => block.code);
const oneSh = (what: string, test: (code: string) => boolean) =>
  onlyBlock(blocks, what, (block) => block.lang === 'sh' && test(block.code)).code;

const commands = {
  checkout: oneSh('checkout (pack:all)', (code) => code.includes('pack:all')),
  npm: oneSh('npm project', (code) => /^npm init\b/m.test(code)),
  pnpm: oneSh('pnpm project', (code) => /^pnpm init\b/m.test(code)),
  tsx: oneSh('run with tsx', (code) => /\btsx main\.ts\b/.test(code)),
  compiled: oneSh('compile and run', (code) => code.includes('tsc') && code.includes('node dist/main.js')),
};
const files = fileBlocks(blocks);

/** npm and pnpm caches kept between runs (in the system's temp dir): the registry is asked once. */
const caches = join(tmpdir(), 'parapool-pack-test-caches');
const env = userEnv(repo, {
  npm_config_cache: join(caches, 'npm'),
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // pnpm keeps its store and metadata under these.
  XDG_DATA_HOME: join(caches, 'pnpm-data'),
  XDG_CACHE_HOME: join(caches, 'pnpm-cache'),
});

/** Runs a README block in a POSIX shell, stopping at the first command that fails. */
const shell = (code: string, cwd: string) => run('sh', ['-e', '-c', code], cwd, env);

/** The program's output, checked: the number of rows, then three rows with their counts, recomputed here. */
function expectCounts(stdout: string): void {
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toBe('200000 rows counted');
  const rows = lines.slice(1).map((line) => {
    const match = /^row (\[[\d,]+\]): (\d+) within \[4, 8\]$/.exec(line);
    expect(match, line).not.toBeNull();
    return { row: JSON.parse(match?.[1] ?? '[]') as number[], count: Number(match?.[2]) };
  });
  expect(rows).toHaveLength(3);
  for (const { row, count } of rows) {
    expect(row).toHaveLength(5);
    expect(row.every((n) => Number.isInteger(n) && n >= 0 && n <= 9)).toBe(true);
    expect(count).toBe(row.filter((n) => n >= 4 && n <= 8).length);
  }
}

describe('the README Quick start', () => {
  it('has the blocks this test runs', () => {
    expect(sh.length).toBeGreaterThanOrEqual(5);
    expect([...files.keys()].sort()).toEqual(['main.ts', 'tasks.ts', 'tsconfig.json']);
  });

  it('packs the checkout with `pnpm pack:all`: a build, then the script that made the tarballs used here', () => {
    expect(commands.checkout).toMatch(/pnpm@[\d.]+ pack:all$/m);
    const scripts = (
      JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['pack:all']).toMatch(/^turbo run build .*&& node scripts\/pack\.mjs$/);
    expect(readdirSync(join(inject('checkout'), 'packed')).sort()).toEqual(
      expect.arrayContaining(['parapool-core.tgz', 'parapool-piscina.tgz']),
    );
  });
});

describe.concurrent.each(['npm', 'pnpm'] as const)('the README Quick start in a new %s project', (manager) => {
  let work = '';
  let project = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `parapool-quickstart-${manager}-`));
    project = join(work, 'hello-parapool');
    // The checkout beside the project, as the README assumes.
    symlinkSync(inject('checkout'), join(work, 'parapool'), 'dir');
    await shell(commands[manager], work);
    for (const [name, code] of files) writeFileSync(join(project, name), code);
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the project is an ES module and depends on what the README says', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      type?: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(manifest.type).toBe('module');
    const direct = manager === 'npm' ? ['@parapool/core', '@parapool/piscina'] : ['@parapool/piscina'];
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(direct);
    expect(Object.keys(manifest.devDependencies ?? {}).sort()).toEqual(['@types/node', 'tsx', 'typescript']);
  });

  if (manager === 'pnpm') {
    it('is the strict layout: the project sees the adapter, not @parapool/core', () => {
      expect(readdirSync(join(project, 'node_modules', '@parapool'))).toEqual(['piscina']);
      expect(existsSync(join(project, 'node_modules', '@parapool', 'core'))).toBe(false);
    });
  }

  it('runs with tsx and prints the counts', async () => {
    const { stdout, stderr } = await shell(commands.tsx, project);
    expect(stderr).toBe('');
    expectCounts(stdout);
  });

  it('compiles with tsc, and the compiled program runs with node and prints the counts', async () => {
    const { stdout, stderr } = await shell(commands.compiled, project);
    expect(stderr).toBe('');
    expectCounts(stdout);
    // `await using` was compiled down, not left for Node 22 to choke on.
    expect(readFileSync(join(project, 'dist', 'main.js'), 'utf8')).not.toMatch(/await using/);
  });
});
