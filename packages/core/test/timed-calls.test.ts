import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileRecorder, heldRecorder, newItemRecord } from '../src/wire/item-record.js';
import type { Job } from '../src/wire/job.js';
import { processTicker, tickerUp } from '../src/wire/ticker.js';
import { WorkerRuntime } from '../src/worker/runtime.js';

/** Squares, except that item `slow` spins for `ms` first (a synchronous call far past a short timeout). */
const SOURCE = `(x) => { if (x === SLOW) { const end = Date.now() + MS; while (Date.now() < end); } return x * x; }`;

const job = (n: number, slow: number, ms: number, timeout: number): Job => ({
  task: { kind: 'inline', source: SOURCE.replace('SLOW', String(slow)).replace('MS', String(ms)) },
  items: Float64Array.from({ length: n }, (_, i) => i),
  spread: false,
  timeout,
});

async function tickerRunning(): Promise<void> {
  const ticker = processTicker();
  expect(ticker).toBeDefined();
  const deadline = Date.now() + 30_000;
  while (!tickerUp(ticker as NonNullable<typeof ticker>)) {
    if (Date.now() > deadline) throw new Error('the ticker thread did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('synchronous calls with a timeout, timed by the coarse clock', () => {
  it('the call far past its timeout among 20,000 quick ones fails with TaskTimeoutError at its index; the others keep their values', async () => {
    await tickerRunning();
    const runtime = new WorkerRuntime();
    // 1.5 s against a 300 ms timeout for the call that spins, a microsecond or so for each other one:
    // bounds that hold on busy cores (a quick call would have to be stalled for 300 ms to look late).
    const result = await runtime.runJob({ ...job(20_000, 12_345, 1500, 300), ticker: processTicker() });
    expect(result.failures?.map((failure) => [failure.index, failure.error.name])).toEqual([
      [12_345, 'TaskTimeoutError'],
    ]);
    const values = result.values as unknown[];
    expect(values[12_344]).toBe(12_344 * 12_344);
    expect(values[12_346]).toBe(12_346 * 12_346);
  });

  it('a call longer than the ticker lease (it stops ticking meanwhile) is judged all the same, and so are the calls after it', async () => {
    await tickerRunning();
    const runtime = new WorkerRuntime();
    // Item 3 spins 2.5 s against a 2 s timeout (the ticker's lease lapses after 1 s); item 6, after it, 1 s against 300 ms.
    const source = `(x) => { const ms = x === 3 ? 2500 : x === 6 ? 1000 : 0; const end = Date.now() + ms; while (Date.now() < end); return x; }`;
    const long = await runtime.runJob({
      task: { kind: 'inline', source },
      items: Float64Array.from({ length: 8 }, (_, i) => i),
      spread: false,
      timeout: 2000,
      ticker: processTicker(),
    });
    expect(long.failures?.map((failure) => failure.index)).toEqual([3]);
    const after = await runtime.runJob({
      task: { kind: 'inline', source },
      items: Float64Array.from({ length: 8 }, (_, i) => i),
      spread: false,
      timeout: 300,
      ticker: processTicker(),
    });
    expect(after.failures?.map((failure) => failure.index)).toEqual([3, 6]);
  });

  it('a timeout that never fires gives every value, packed as numbers', async () => {
    await tickerRunning();
    const result = await new WorkerRuntime().runJob({ ...job(20_000, -1, 0, 60_000), ticker: processTicker() });
    expect(result.failures).toBeUndefined();
    expect(result.values).toBeInstanceOf(Float64Array);
    expect((result.values as Float64Array)[19_999]).toBe(19_999 * 19_999);
  });
});

describe('the item record of a job that may be sent again', () => {
  it('a job run again takes the recorded outcomes of its ended items instead of calling them', async () => {
    const record = newItemRecord(4);
    const calls: number[] = [];
    (globalThis as { __calls?: number[] }).__calls = calls;
    const task = {
      kind: 'inline' as const,
      source: `(x) => { globalThis.__calls.push(x); if (x === 2) throw new Error('two'); return x % 2 ? { x } : x * 10; }`,
    };
    const first = await new WorkerRuntime().runJob({ task, items: [0, 1, 2, 3], spread: false, record });
    expect(calls).toEqual([0, 1, 2, 3]);
    const again = await new WorkerRuntime().runJob({ task, items: [0, 1, 2, 3], spread: false, record });
    expect(calls).toEqual([0, 1, 2, 3]); // nothing ran twice
    expect(again.values).toEqual(first.values);
    expect(again.values).toEqual([0, { x: 1 }, undefined, { x: 3 }]);
    expect(again.failures?.map((failure) => [failure.index, failure.error.message])).toEqual([[2, 'two']]);
  });

  it('a job of worker processes run again takes the outcomes its record file kept; an entry cut short (the process killed mid-write) runs again', async () => {
    const notes = join(mkdtempSync(join(tmpdir(), 'parapool-record-')), 'job');
    const calls: number[] = [];
    (globalThis as { __calls?: number[] }).__calls = calls;
    const task = {
      kind: 'inline' as const,
      source: `(x) => { globalThis.__calls.push(x); if (x === 2) throw new Error('two'); return x % 2 ? { x } : x * 10; }`,
    };
    const job: Job = { task, items: [0, 1, 2, 3, 4], spread: false, resend: true, notes };
    const first = await new WorkerRuntime().runJob(job);
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    // The last entry (item 4's number: 9 bytes of header, 8 of value) loses its last byte.
    const file = `${notes}.record`;
    truncateSync(file, statSync(file).size - 1);
    const again = await new WorkerRuntime().runJob(job);
    expect(calls).toEqual([0, 1, 2, 3, 4, 4]);
    expect(again.values).toEqual(first.values);
    expect(again.values).toEqual([0, { x: 1 }, undefined, { x: 3 }, 40]);
    expect(again.failures?.map((failure) => [failure.index, failure.error.message])).toEqual([[2, 'two']]);
    rmSync(dirname(notes), { recursive: true, force: true });
  });

  it("outcomes held for a worker process's watch read back from the record file it writes them to; past the area's end nothing more is kept", () => {
    const area = new Uint8Array(new SharedArrayBuffer(128));
    const lengths = new Int32Array(new SharedArrayBuffer(8));
    lengths[1] = 999; // an earlier job's: the recorder starts empty
    const held = heldRecorder(area, lengths, 1);
    expect(held.fresh).toBe(true);
    held.value(0, 2.5);
    held.value(1, { x: 1 });
    held.failure(2, { name: 'Error', message: 'two' });
    held.value(3, 'x'.repeat(128)); // more than is left of the 128 bytes
    held.value(4, 7); // (fits, but after one that did not: not kept, so a stuck call after 3 fails its chunk whole)
    const path = join(mkdtempSync(join(tmpdir(), 'parapool-held-')), 'job.record');
    // What the watch does for a stuck call: the area's used bytes, appended to the job's record file.
    writeFileSync(path, area.slice(0, lengths[1]));
    const read = fileRecorder(path);
    expect(read.recorded(0)).toEqual({ value: 2.5 });
    expect(read.recorded(1)).toEqual({ value: { x: 1 } });
    expect(read.recorded(2)).toMatchObject({ failure: { message: 'two' } });
    expect(read.recorded(3)).toBeUndefined();
    expect(read.recorded(4)).toBeUndefined();
    read.close();
    rmSync(dirname(path), { recursive: true, force: true });
  });
});
