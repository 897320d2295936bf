/**
 * The release, rehearsed: the repository copied into a temporary folder (the
 * files a commit would hold: `git ls-files`, tracked and new, not ignored),
 * made a git repository of its own, installed, then released twice to a real
 * registry (test/registry.ts) as the maintainers release:
 *
 * 1. `pnpm version-packages` applies the pending changesets, committed;
 *    `pnpm release` builds and publishes (`changeset publish`).
 * 2. A changeset (a patch to @parapool/core), `pnpm version-packages`,
 *    committed, `pnpm release` again.
 *
 * The repository itself is only read: its working tree, versions and
 * `.changeset/` stay as they are. Publishing reads a userconfig of its own
 * (the registry and its token): the user's ~/.npmrc is neither read nor written.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Registry } from './registry.js';
import { run, userEnv } from './run.js';

/** What the rehearsal did, for the tests to check. */
export interface Rehearsal {
  /** The registry's URL. */
  readonly registry: string;
  /** The temporary repository the releases were made from. */
  readonly repo: string;
  /** Every public package's name, from the repository's packages/. */
  readonly published: string[];
  /** The version of the fixed group after the first and after the second release. */
  readonly first: string;
  readonly second: string;
  /** The git tags `changeset publish` made, after both releases. */
  readonly tags: string[];
  /** Each release's output (`pnpm release`), for the tests to read. */
  readonly output: [string, string];
  /** A userconfig for installing as a user: `@parapool` packages from the registry, the rest as usual. */
  readonly userconfig: string;
}

/** The public packages of a repository: `packages/*` not marked private. */
export function publicPackages(repo: string): Array<{ dir: string; name: string; version: string }> {
  return readdirSync(join(repo, 'packages'))
    .map((name) => join(repo, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, ...(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest) }))
    .filter((manifest) => !manifest.private)
    .map(({ dir, name, version }) => ({ dir, name, version }));
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}

/** The one version of the fixed group (every public package has it; throws if they differ). */
function groupVersion(repo: string): string {
  const versions = new Set(publicPackages(repo).map((pkg) => pkg.version));
  if (versions.size !== 1) throw new Error(`the public packages have different versions: ${[...versions].join(', ')}`);
  return [...versions][0] as string;
}

/** Copies the files a commit of `repo` would hold into `to`. */
async function copyRepository(repo: string, to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo);
  for (const file of stdout.split('\0')) {
    // A tracked file deleted in the working tree is not part of the next commit.
    if (file === '' || !existsSync(join(repo, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(repo, file), join(to, file));
  }
}

/** Rehearses both releases of `repo` to `registry`, in `work` (an empty temporary folder). */
export async function rehearseRelease(repo: string, registry: Registry, work: string): Promise<Rehearsal> {
  const copy = join(work, 'repo');
  await copyRepository(repo, copy);

  const git = (...args: string[]) => run('git', args, copy, env);
  // The environment of a maintainer's shell: none of this test run's npm/pnpm/turbo variables; a git
  // identity (a fresh machine may have none), and no signing (changeset publish tags in git too).
  const env = userEnv(repo, {
    GIT_AUTHOR_NAME: 'pack-test',
    GIT_AUTHOR_EMAIL: 'pack-test@localhost',
    GIT_COMMITTER_NAME: 'pack-test',
    GIT_COMMITTER_EMAIL: 'pack-test@localhost',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'commit.gpgsign',
    GIT_CONFIG_VALUE_0: 'false',
    GIT_CONFIG_KEY_1: 'tag.gpgsign',
    GIT_CONFIG_VALUE_1: 'false',
  });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '--all');
  await git('commit', '--quiet', '--no-verify', '--message', 'the repository as pack-test found it');

  // The workspace's dependencies, from the store the repository's own install filled.
  await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], copy, env, 600_000);

  // The maintainer's login, as `npm login` would leave it in a userconfig.
  const token = await registry.addUser('pack-test', 'pack-test-password');
  const host = registry.url.replace(/^http:/, '');
  const publisher = join(work, 'publisher.npmrc');
  writeFileSync(publisher, `registry=${registry.url}\n${host}:_authToken=${token}\n`);
  const publishing = { ...env, npm_config_userconfig: publisher };

  const release = async (): Promise<{ version: string; output: string }> => {
    await run('pnpm', ['version-packages'], copy, env);
    await git('add', '--all');
    await git('commit', '--quiet', '--no-verify', '--message', 'version packages');
    const { stdout, stderr } = await run('pnpm', ['release'], copy, publishing, 900_000);
    return { version: groupVersion(copy), output: `${stdout}\n${stderr}` };
  };

  const first = await release();
  writeFileSync(
    join(copy, '.changeset', 'pack-test-core-patch.md'),
    "---\n'@parapool/core': patch\n---\n\nA patch to core, released by pack-test's rehearsal.\n",
  );
  await git('add', '--all');
  await git('commit', '--quiet', '--no-verify', '--message', 'a patch to core');
  const second = await release();

  // A user's config: the @parapool scope from the registry; everything else from the usual registry.
  const { stdout: usual } = await run('npm', ['config', 'get', 'registry'], work, env);
  const userconfig = join(work, 'user.npmrc');
  writeFileSync(userconfig, `registry=${usual.trim()}\n@parapool:registry=${registry.url}\n`);

  const { stdout: tags } = await git('tag', '--list');
  return {
    registry: registry.url,
    repo: copy,
    published: publicPackages(copy).map((pkg) => pkg.name),
    first: first.version,
    second: second.version,
    tags: tags.split('\n').filter(Boolean).sort(),
    output: [first.output, second.output],
    userconfig,
  };
}
