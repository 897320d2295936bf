#!/usr/bin/env node
/**
 * `pnpm new-backend <name>`: creates packages/<name>, a working parapool
 * backend over raw worker_threads (its declaration with defineAdapter, worker
 * entry, the one-line conformance and export tests, README) plus a changeset,
 * adds its line to backends.json (and so to the README table and the apps that
 * run every backend), then installs it.
 * Replace the worker_threads parts with your library; see CONTRIBUTING.md.
 *
 * Options:
 *   --root <dir>    the monorepo to write into (default: this repository)
 *   --no-install    do not run `pnpm install` afterwards
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addBackend, writeBackends } from '../backends.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const templateDir = join(here, 'template');

function fail(message) {
  console.error(`new-backend: ${message}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string', default: resolve(here, '..', '..') },
    'no-install': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const args = positionals.filter((arg) => arg !== '--');

if (values.help || args.length !== 1) {
  console.log('usage: pnpm new-backend <name> [--no-install]\n  e.g. pnpm new-backend workerpool');
  process.exit(values.help ? 0 : 1);
}

const name = args[0];
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  fail(`'${name}' is not a valid backend name: use lowercase letters, digits and single dashes, e.g. 'workerpool'`);
}
const words = name.split('-');
const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const camel = pascal[0].toLowerCase() + pascal.slice(1);

const root = resolve(values.root);
const target = join(root, 'packages', name);
if (existsSync(target)) fail(`${relative(process.cwd(), target) || target} already exists: pick another name`);

const fill = (text) =>
  text.replaceAll('__name__', name).replaceAll('__Pascal__', pascal).replaceAll('__camel__', camel);

/** Copies the template into the new package, filling in the names. */
function copy(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === 'changeset.md') continue;
    const source = join(from, entry);
    const dest = join(to, entry);
    if (statSync(source).isDirectory()) copy(source, dest);
    else writeFileSync(dest, fill(readFileSync(source, 'utf8')));
  }
}

copy(templateDir, target);
// Published packages carry the repository's licence.
if (existsSync(join(root, 'LICENSE')))
  writeFileSync(join(target, 'LICENSE'), readFileSync(join(root, 'LICENSE'), 'utf8'));
const changeset = join(root, '.changeset', `add-${name}.md`);
mkdirSync(dirname(changeset), { recursive: true });
if (!existsSync(changeset)) writeFileSync(changeset, fill(readFileSync(join(templateDir, 'changeset.md'), 'utf8')));

const shown = (path) => relative(process.cwd(), path) || '.';
console.log(`Created ${shown(target)} (@parapool/${name}) and ${shown(changeset)}.`);
// The one list of backends: its line, then what follows from it (README table, the apps' dependencies).
if (addBackend(root, name, `backend over ${name}`)) console.log(`Added ${name} to backends.json: describe it there.`);
for (const path of writeBackends(root)) console.log(`Updated ${shown(path)}.`);

if (!values['no-install']) {
  const install = spawnSync('pnpm', ['install'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) fail('pnpm install failed; fix the error above and run it again');
}

console.log(`
Next:
  pnpm --filter @parapool/${name} build
  pnpm --filter @parapool/${name} test     # the whole conformance suite, over raw worker_threads
Then follow CONTRIBUTING.md: put ${name} behind spawn() in src/backend.ts, declare what it
owns and can do, edit its line in backends.json, README.md and the changeset; keep the suite green.`);
