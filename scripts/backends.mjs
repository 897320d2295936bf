#!/usr/bin/env node
/**
 * The one list of backends (`backends.json`) and what follows from it:
 *
 * - the table of adapters in the root README (between `<!-- backends -->` markers);
 * - each adapter as a workspace dependency of the apps that run every backend
 *   (apps/examples, bench, apps/pack-test), which read the list at run time;
 * - the adapters a bullmq host can run on (packages/bullmq/src/host/adapters.ts), each an optional
 *   peer dependency of @parapool/bullmq (its package.json);
 * - every adapter package under packages/ is in the list, and every entry has a package.
 *
 * `node scripts/backends.mjs` (`pnpm backends`) writes the README table and the
 * dependencies; `--check` (part of `pnpm lint:root`) fails if they are stale.
 * `pnpm new-backend` adds the new backend's line and runs the same update.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The apps that run every backend, and where their dependency on each adapter goes. */
const CONSUMERS = [
  { file: 'apps/examples/package.json', field: 'dependencies' },
  { file: 'bench/package.json', field: 'dependencies' },
  { file: 'apps/pack-test/package.json', field: 'devDependencies' },
];
/** Packages under packages/ that are not adapters over a library. */
const NOT_ADAPTERS = new Set(['core', 'conformance', 'bullmq']);
const START = '<!-- backends:start (written by scripts/backends.mjs from backends.json) -->';
const END = '<!-- backends:end -->';

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The list: `[{ name, about, color? }]`. */
export function readBackends(root) {
  const path = join(root, 'backends.json');
  if (!existsSync(path)) return [];
  const { backends } = readJson(path);
  for (const entry of backends) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(entry.name ?? '') || typeof entry.about !== 'string') {
      throw new Error(
        `backends.json: each entry needs a name (lowercase, dashes) and an about (got ${JSON.stringify(entry)})`,
      );
    }
  }
  return backends;
}

/** Adds `name` to the list (if the list exists and lacks it). */
export function addBackend(root, name, about) {
  const path = join(root, 'backends.json');
  if (!existsSync(path)) return false;
  const list = readJson(path);
  if (list.backends.some((entry) => entry.name === name)) return false;
  list.backends.push({ name, about });
  const lines = list.backends.map(
    (entry) =>
      `    ${JSON.stringify(entry).replaceAll('":', '": ').replaceAll(',"', ', "').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
  );
  writeFileSync(path, `{\n  "about": ${JSON.stringify(list.about)},\n  "backends": [\n${lines.join(',\n')}\n  ]\n}\n`);
  return true;
}

/** The adapters a bullmq host can run its chunks on: a published package cannot read the list, so it gets a copy. */
const HOST_ADAPTERS = 'packages/bullmq/src/host/adapters.ts';
/** The package of the bullmq host, whose optional peers are the adapters. */
const HOST_PACKAGE = 'packages/bullmq/package.json';

const pascal = (name) =>
  name
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

function hostAdapters(backends) {
  const key = (name) => (/^[a-z]\w*$/.test(name) ? name : `'${name}'`);
  const lines = backends.map(({ name }) => `  ${key(name)}: '${pascal(name)}Backend',`);
  return `// Written by scripts/backends.mjs from backends.json (\`pnpm backends\`): do not edit.

/** Each adapter package (\`@parapool/<name>\`) a host can run its chunks on, and the Backend class it exports. */
export const ADAPTERS = {
${lines.join('\n')}
} as const;
`;
}

function readmeTable(backends) {
  const rows = backends.map(({ name, about }) => `| [\`@parapool/${name}\`](packages/${name}) | ${about} |`);
  return `${START}\n| adapter | what |\n|---|---|\n${rows.join('\n')}\n${END}`;
}

/** What the list implies, file by file: `{ path: [current text, wanted text] }`, plus problems that need a person. */
function plan(root) {
  const backends = readBackends(root);
  const changes = new Map();
  const problems = [];
  const readme = join(root, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const at = text.indexOf(START);
    const end = text.indexOf(END);
    if (at < 0 || end < at) problems.push(`README.md has no ${START} ... ${END} block for the table of backends`);
    else changes.set(readme, [text, text.slice(0, at) + readmeTable(backends) + text.slice(end + END.length)]);
  }
  for (const { file, field } of CONSUMERS) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const manifest = JSON.parse(text);
    const deps = { ...manifest[field] };
    for (const { name } of backends) deps[`@parapool/${name}`] ??= 'workspace:^';
    manifest[field] = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
    changes.set(path, [text, `${JSON.stringify(manifest, null, 2)}\n`]);
  }
  const host = join(root, HOST_PACKAGE);
  if (existsSync(host)) {
    // A host imports the adapter its --backend names: each is an optional peer of @parapool/bullmq, so that
    // npm and pnpm check that the installed adapter is of the host's release.
    const text = readFileSync(host, 'utf8');
    const manifest = JSON.parse(text);
    const adapters = new Set(backends.map(({ name }) => `@parapool/${name}`));
    const others = (deps) => Object.entries(deps ?? {}).filter(([name]) => !name.startsWith('@parapool/'));
    const sorted = (entries) => Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
    manifest.peerDependencies = sorted([
      ...others(manifest.peerDependencies),
      ...[...adapters].map((name) => [name, manifest.peerDependencies?.[name] ?? 'workspace:^']),
    ]);
    manifest.peerDependenciesMeta = sorted([
      ...others(manifest.peerDependenciesMeta),
      ...[...adapters].map((name) => [name, { optional: true }]),
    ]);
    changes.set(host, [text, `${JSON.stringify(manifest, null, 2)}\n`]);
  }
  const hosts = join(root, HOST_ADAPTERS);
  if (existsSync(dirname(hosts))) {
    changes.set(hosts, [existsSync(hosts) ? readFileSync(hosts, 'utf8') : '', hostAdapters(backends)]);
  }
  const packages = join(root, 'packages');
  const listed = new Set(backends.map((entry) => entry.name));
  if (existsSync(packages) && backends.length > 0) {
    for (const dir of readdirSync(packages)) {
      const manifest = join(packages, dir, 'package.json');
      if (NOT_ADAPTERS.has(dir) || !existsSync(manifest) || readJson(manifest).private) continue;
      if (!listed.has(dir)) problems.push(`packages/${dir} is not in backends.json: add its line`);
    }
    for (const name of listed) {
      if (!existsSync(join(packages, name, 'package.json')))
        problems.push(`backends.json lists ${name}, but packages/${name} does not exist`);
    }
  }
  return { changes, problems };
}

/** Writes what the list implies; returns the files it changed. */
export function writeBackends(root) {
  const { changes } = plan(root);
  const written = [];
  for (const [path, [current, wanted]] of changes) {
    if (current === wanted) continue;
    writeFileSync(path, wanted);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (process.argv.includes('--check')) {
    const { changes, problems } = plan(root);
    const stale = [...changes]
      .filter(([, [current, wanted]]) => current !== wanted)
      .map(([path]) => path.slice(root.length + 1));
    for (const path of stale) problems.push(`${path} does not match backends.json: run \`pnpm backends\``);
    if (problems.length > 0) {
      console.error(`backends:\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
  } else {
    const written = writeBackends(root);
    console.log(written.length ? `updated ${written.map((p) => p.slice(root.length + 1)).join(', ')}` : 'up to date');
    const { problems } = plan(root);
    if (problems.length > 0) {
      console.error(`backends:\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
  }
}
