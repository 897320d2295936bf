import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callNoter, takeCallNote } from '../src/wire/notes.js';

const dir = mkdtempSync(join(tmpdir(), 'parapool-notes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a worker process's call note (where it has no watch thread)", () => {
  it('holds the index of the last call noted, whole, even after a longer one', () => {
    const notes = join(dir, 'job');
    const noter = callNoter(notes);
    expect(noter).toBeDefined();
    for (const index of [0, 1, 123_456, 7]) noter?.note(index);
    expect(takeCallNote(notes)).toBe(7);
    // Taken once: the note is gone.
    expect(existsSync(`${notes}.call`)).toBe(false);
    expect(takeCallNote(notes)).toBeUndefined();
    noter?.close();
  });

  it('is removed when its job ends', () => {
    const notes = join(dir, 'ended');
    const noter = callNoter(notes);
    noter?.note(3);
    noter?.close();
    expect(existsSync(`${notes}.call`)).toBe(false);
    expect(takeCallNote(notes)).toBeUndefined();
  });
});
