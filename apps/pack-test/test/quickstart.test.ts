/**
 * The README's Quick start, as a new user follows it. Its code blocks are read
 * from README.md itself: the commands that make a new npm project and a new
 * pnpm project, `tasks.ts`, `main.ts`, `tsconfig.json`, and the two ways to run
 * it (tsx; tsc, then node). Each is run as written, in a temporary directory
 * outside this repository:
 *
 * - "Quick start": against the registry the release rehearsal published to
 *   (test/release.ts), as a user of the published packages; their userconfig
 *   takes the `@parapool` scope from that registry, the rest from the usual one;
 * - "Quick start from a checkout": beside a checkout named `parapool`, against
 *   the tarballs that `pnpm pack:all`'s script made for this test run.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CodeBlock, codeBlocks, fileBlocks, onlyBlock, section } from './readme.js';
import { run, userEnv } from './run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const published = codeBlocks(section(readme, 'Quick start'));
const fromCheckout = codeBlocks(section(readme, 'Quick start from a checkout'));
const oneSh = (blocks: CodeBlock[], what: string, test: (code: string) => boolean) =>
  onlyBlock(blocks, what, (block) => block.lang === 'sh' && test(block.code)).code;
const npmInit = (code: string) => /^npm init\b/m.test(code);
const pnpmInit = (code: string) => /^pnpm init\b/m.test(code);

const commands = {
  published: { npm: oneSh(published, 'npm project', npmInit), pnpm: oneSh(published, 'pnpm project', pnpmInit) },
  checkout: {
    npm: oneSh(fromCheckout, 'npm project', npmInit),
    pnpm: oneSh(fromCheckout, 'pnpm project', pnpmInit),
  },
  pack: oneSh(fromCheckout, 'checkout (pack:all)', (code) => code.includes('pack:all')),
  tsx: oneSh(published, 'run with tsx', (code) => /\btsx main\.ts\b/.test(code)),
  compiled: oneSh(published, 'compile and run', (code) => code.includes('tsc') && code.includes('node dist/main.js')),
};
const files = fileBlocks(published);

/** The folder a project block makes (`mkdir NAME && cd NAME`). */
const folder = (code: string) => /^mkdir ([\w.-]+) && cd \1$/m.exec(code)?.[1];

/** npm and pnpm caches kept between runs (in the system's temp dir): the registry is asked once. */
const caches = join(tmpdir(), 'parapool-pack-test-caches');
const baseEnv = {
  npm_config_cache: join(caches, 'npm'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // pnpm keeps its store under this; its metadata cache is this run's own (below).
  XDG_DATA_HOME: join(caches, 'pnpm-data'),
};

type Source = 'published' | 'checkout';

/** Runs a README block in a POSIX shell, stopping at the first command that fails. */
const shell = (code: string, cwd: string, env: NodeJS.ProcessEnv) => run('sh', ['-e', '-c', code], cwd, env);

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
    expect([...files.keys()].sort()).toEqual(['main.ts', 'tasks.ts', 'tsconfig.json']);
  });

  it('installs the published adapter by its name, with npm and with pnpm', () => {
    expect(commands.published.npm).toMatch(/^npm install @parapool\/piscina$/m);
    expect(commands.published.pnpm).toMatch(/^pnpm add @parapool\/piscina$/m);
  });

  it('each variant makes a folder of its own, so both can be followed side by side', () => {
    const names = [commands.published.npm, commands.published.pnpm, commands.checkout.npm, commands.checkout.pnpm].map(
      folder,
    );
    expect(names.every((name) => name !== undefined)).toBe(true);
    expect(new Set(names.slice(0, 2)).size).toBe(2);
    expect(new Set(names.slice(2)).size).toBe(2);
  });

  it('from a checkout: packs with `pnpm pack:all`, a build, then the script that made the tarballs used here', () => {
    expect(commands.pack).toMatch(/pnpm@[\d.]+ pack:all$/m);
    const scripts = (
      JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['pack:all']).toMatch(/^turbo run build .*&& node scripts\/pack\.mjs$/);
  });

  it('from a checkout: names every tarball `pnpm pack:all` makes', () => {
    const packed = readdirSync(join(inject('checkout'), 'packed')).sort();
    expect(packed).toEqual(expect.arrayContaining(['parapool-core.tgz', 'parapool-piscina.tgz']));
    const named = [...section(readme, 'Quick start from a checkout').matchAll(/`(parapool-[\w-]+\.tgz)`/g)].map(
      (match) => match[1],
    );
    expect([...new Set(named)].sort()).toEqual(packed);
  });
});

describe.concurrent.each([
  ['published', 'npm'],
  ['published', 'pnpm'],
  ['checkout', 'npm'],
  ['checkout', 'pnpm'],
] as Array<[Source, 'npm' | 'pnpm']>)('the README Quick start (%s) in a new %s project', (source, manager) => {
  let work = '';
  let project = '';
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), `parapool-quickstart-${source}-${manager}-`));
    env = userEnv(repo, {
      ...baseEnv,
      // pnpm's metadata cache: this project's own, so no document of an earlier run's registry is reused.
      XDG_CACHE_HOME: join(work, '.cache'),
      // A user of the published packages: the @parapool scope from the rehearsal's registry.
      ...(source === 'published' ? { npm_config_userconfig: inject('rehearsal').userconfig } : {}),
    });
    const code = commands[source][manager];
    project = join(work, folder(code) ?? '');
    // The checkout beside the project, as the README assumes.
    if (source === 'checkout') symlinkSync(inject('checkout'), join(work, 'parapool'), 'dir');
    await shell(code, work, env);
    for (const [name, text] of files) writeFileSync(join(project, name), text);
  }, 600_000);
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
    const direct =
      source === 'checkout' && manager === 'npm' ? ['@parapool/core', '@parapool/piscina'] : ['@parapool/piscina'];
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual(direct);
    expect(Object.keys(manifest.devDependencies ?? {}).sort()).toEqual(['@types/node', 'tsx', 'typescript']);
  });

  if (source === 'published') {
    it('installed the release: the adapter and the core it depends on, at the latest version', () => {
      const { second } = inject('rehearsal');
      const version = (dir: string) =>
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
      const adapter = realpathSync(join(project, 'node_modules', '@parapool', 'piscina'));
      expect(version(adapter)).toBe(second);
      // Where the adapter finds its core: beside it (npm's flat tree; pnpm's store folder of the adapter).
      expect(version(join(adapter, '..', 'core'))).toBe(second);
    });
  }

  if (manager === 'pnpm') {
    it('is the strict layout: the project sees the adapter, not @parapool/core', () => {
      expect(readdirSync(join(project, 'node_modules', '@parapool'))).toEqual(['piscina']);
      expect(existsSync(join(project, 'node_modules', '@parapool', 'core'))).toBe(false);
    });
  }

  it('runs with tsx and prints the counts', async () => {
    const { stdout, stderr } = await shell(commands.tsx, project, env);
    expect(stderr).toBe('');
    expectCounts(stdout);
  });

  it('compiles with tsc, and the compiled program runs with node and prints the counts', async () => {
    const { stdout, stderr } = await shell(commands.compiled, project, env);
    expect(stderr).toBe('');
    expectCounts(stdout);
    // `await using` was compiled down, not left for Node 22 to choke on.
    expect(readFileSync(join(project, 'dist', 'main.js'), 'utf8')).not.toMatch(/await using/);
  });

  if (source === 'published' && manager === 'npm') {
    it('the installed adapter also loads with require(), for CommonJS programs', async () => {
      const check =
        "const { createPool, cpuCount } = require('@parapool/piscina'); console.log(typeof createPool, cpuCount() > 0);";
      const { stdout } = await run(process.execPath, ['-e', check], project, env);
      expect(stdout.trim()).toBe('function true');
    });
  }
});
