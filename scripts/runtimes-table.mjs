#!/usr/bin/env node
/**
 * Writes the README's runtime × backend table (between `<!-- runtimes -->`
 * markers) from `runtimes.json`, the data of the last `pnpm test:runtimes`
 * run (scripts/runtimes.mjs). Every cell is a pass, a refusal (the backend
 * refuses that runtime at createPool, as its test checks) or a failure; each
 * that is not a pass has a numbered note with its reason under the table.
 *
 * `node scripts/runtimes-table.mjs` writes it; `--check` (part of `pnpm lint:root`)
 * fails if the README does not show what runtimes.json holds. No timing is read.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- runtimes:start (written by scripts/runtimes-table.mjs from runtimes.json) -->';
const END = '<!-- runtimes:end -->';

const cellText = (text) => String(text).replaceAll('|', '\\|').replace(/\s+/g, ' ');

/** The table and its notes, as markdown. */
export function runtimesTable(data) {
  const runtimes = Object.entries(data.runtimes);
  const notes = [];
  const header = `| | ${runtimes.map(([, { label, version }]) => `${label} (${version})`).join(' | ')} |`;
  const rule = `|---|${runtimes.map(() => '---').join('|')}|`;
  const rows = Object.entries(data.cells).map(([target, cells]) => {
    const shown = runtimes.map(([name]) => {
      const cell = cells[name];
      if (!cell) return 'not run';
      if (cell.status === 'pass') return `pass (${cell.passed})`;
      notes.push(
        `${cell.status === 'refused' ? 'refused' : 'fails'} on ${data.runtimes[name].label}, ${target}: ${cell.reason}`,
      );
      return `**${cell.status === 'refused' ? 'refused' : 'fail'}** [${notes.length}]`;
    });
    return `| ${cellText(target)} | ${shown.join(' | ')} |`;
  });
  const listed = notes.map((note, i) => `${i + 1}. ${cellText(note)}`);
  return [START, header, rule, ...rows, '', ...listed, END].join('\n');
}

function plan() {
  const data = JSON.parse(readFileSync(join(root, 'runtimes.json'), 'utf8'));
  const readme = join(root, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(START);
  const end = text.indexOf(END);
  if (at < 0 || end < at) throw new Error(`README.md has no ${START} ... ${END} block for the runtime table`);
  return { readme, text, wanted: text.slice(0, at) + runtimesTable(data) + text.slice(end + END.length) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(root, 'runtimes.json'))) {
    console.error('runtimes.json is missing: run `pnpm test:runtimes` first');
    process.exit(1);
  }
  const { readme, text, wanted } = plan();
  if (process.argv.includes('--check')) {
    if (text !== wanted) {
      console.error('README.md: the runtime table does not match runtimes.json: run `node scripts/runtimes-table.mjs`');
      process.exit(1);
    }
  } else if (text !== wanted) {
    writeFileSync(readme, wanted);
    console.log('updated README.md');
  } else {
    console.log('up to date');
  }
}
