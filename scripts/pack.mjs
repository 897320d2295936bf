#!/usr/bin/env node
/**
 * `pnpm pack:all`: packs every publishable package (each `packages/*` that is
 * not private) into one folder, as `pnpm publish` would pack it (`workspace:^`
 * dependencies become version ranges). The tarballs are named without their
 * version (`parapool-core.tgz`, `parapool-piscina.tgz`, ...), so install
 * commands stay the same from one version to the next.
 *
 * `pnpm pack:all` builds first; this script alone packs what is built.
 *
 * Options:
 *   --out <dir>   where to write the tarballs (default: packed/ in the repository)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const exec = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'packed') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: node scripts/pack.mjs [--out <dir>]   (pnpm pack:all builds, then runs this)');
  process.exit(0);
}
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

async function pack({ dir, manifest }) {
  if (!existsSync(join(dir, 'dist'))) {
    throw new Error(`${manifest.name} is not built (no dist/): run \`pnpm pack:all\`, which builds first`);
  }
  try {
    // pnpm is on PATH when this runs as `pnpm pack:all` (also through `npx pnpm`).
    await exec('pnpm', ['pack', '--pack-destination', out], { cwd: dir });
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('pnpm is not on PATH: run this as `pnpm pack:all`');
    throw error;
  }
  // pnpm names it <scope>-<name>-<version>.tgz; drop the version.
  const stem = manifest.name.replace(/^@/, '').replace('/', '-');
  const packed = join(out, `${stem}-${manifest.version}.tgz`);
  const target = join(out, `${stem}.tgz`);
  renameSync(packed, target);
  return target;
}

// Two at a time: each pack is a short process, mostly waiting on the disk.
const written = [];
const queue = [...packages];
await Promise.all(
  [0, 1].map(async () => {
    for (let next = queue.shift(); next; next = queue.shift()) written.push(await pack(next));
  }),
);
const shown = relative(process.cwd(), out) || '.';
console.log(`packed ${written.length} packages into ${shown}${shown.endsWith('/') ? '' : '/'}:`);
for (const file of written.sort()) console.log(`  ${basename(file)}`);
