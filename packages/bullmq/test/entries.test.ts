/**
 * The package's entries: a caller loads the caller's code and the shared code,
 * never the host's (which loads local backends such as piscina).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE } from './support/roots.js';

/** Every file of dist/ that `entry` reaches through relative imports. */
function reached(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      visit(resolve(dirname(file), match[1] as string));
    }
  };
  visit(join(PACKAGE, 'dist', entry));
  return [...seen].map((file) => relative(join(PACKAGE, 'dist'), file)).sort();
}

describe('entries', () => {
  it("the caller's entry loads no host code", () => {
    const files = reached('index.js');
    expect(files).toContain('caller/backend.js');
    expect(files.filter((file) => file.startsWith('host'))).toEqual([]);
  });

  it('the host entry loads the host and no caller code', () => {
    const files = reached('host.js');
    expect(files).toContain('host/host.js');
    expect(files.filter((file) => file.startsWith('caller/'))).toEqual([]);
  });
});
