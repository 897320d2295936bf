import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { callNoter, notesPath, sweepNotes, takeCallNote } from '../src/wire/notes.js';

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

/** The id of a process that has ended (a real one, started and waited for). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid as number;
}

/** A note file named as a caller with `pid` names it, last written `ageMs` ago. */
function note(folder: string, pid: number, job: string, ageMs: number): string {
  const path = join(folder, `parapool-${pid}-abcd1234-${job}`);
  writeFileSync(path, '0 1\n');
  const then = (Date.now() - ageMs) / 1000;
  utimesSync(path, then, then);
  return path;
}

describe('notes left by a caller that was killed', () => {
  const hour = 60 * 60 * 1000;

  it("are removed once their caller's process is gone and nobody wrote them for a while", async () => {
    const folder = mkdtempSync(join(dir, 'sweep-'));
    const pid = deadPid();
    const stale = [
      note(folder, pid, 'k1.record', hour),
      note(folder, pid, 'k1.timeout', hour),
      note(folder, pid, 't3.call', hour),
    ];
    const removed = await sweepNotes(folder);
    expect(removed.sort()).toEqual(stale.sort());
    for (const path of stale) expect(existsSync(path)).toBe(false);
  });

  it('are kept while their caller runs, while they are fresh, and when they are not notes', async () => {
    const folder = mkdtempSync(join(dir, 'keep-'));
    const living = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const pid = deadPid();
      const kept = [
        note(folder, living.pid as number, 'k1.record', hour), // its caller still runs
        note(folder, process.pid, 'k2.record', hour), // this process's own
        note(folder, pid, 'k3.record', 1000), // written a moment ago
        note(folder, pid, 'k4.other', hour), // not a note
      ];
      expect(await sweepNotes(folder)).toEqual([]);
      for (const path of kept) expect(existsSync(path)).toBe(true);
    } finally {
      living.kill('SIGKILL');
    }
  });

  it('are swept by the first note path a process asks for', async () => {
    const stale = note(tmpdir(), deadPid(), `sweep-test-${process.pid}.record`, hour);
    try {
      notesPath();
      await vi.waitFor(() => expect(existsSync(stale)).toBe(false), { timeout: 10_000 });
    } finally {
      rmSync(stale, { force: true });
    }
  });
});
