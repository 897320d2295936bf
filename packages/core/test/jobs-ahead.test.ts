import { describe, expect, it } from 'vitest';
import type { Job, JobResult } from '../src/wire/job.js';
import { JOBS_AHEAD, type JobInLine, runInTurn, WorkerLine } from '../src/wire/jobs-ahead.js';

const job: Job = { task: { kind: 'module', module: 'memory:nothing', name: 'none' }, items: [1], spread: false };
const done: JobResult = { values: [1] };

/** A job put in `line`, as the caller sends it: the entry, and the job the worker gets (with its gate cell). */
function send(line: WorkerLine<JobInLine>, ahead: boolean): { entry: JobInLine; sent: Job & { gate: number } } {
  const { job: sent, cell } = line.open(job);
  const entry: JobInLine = { cell, dropped: false };
  line.add(entry, ahead);
  return { entry, sent: sent as Job & { gate: number } };
}

describe("a worker's line of jobs (the caller's side of jobs ahead)", () => {
  it('without jobs ahead is its head alone: nothing is held ahead, dropped or reclaimed', () => {
    const line = new WorkerLine<JobInLine>(false);
    expect(line.takesAhead(job)).toBe(false);
    const { entry, sent } = send(line, false);
    expect(sent).toBe(job); // no gate cell is added
    expect(line.drop(entry)).toBe(false);
    expect(line.reclaim(entry)).toBe(false);
    expect(line.all()).toEqual([entry]);
  });

  it('drops a job held ahead that its worker has not started, and the worker then skips it', async () => {
    const line = new WorkerLine<JobInLine>(true);
    send(line, false);
    expect(line.takesAhead(job)).toBe(true);
    const { entry, sent } = send(line, true);
    expect(line.drop(entry)).toBe(true);
    expect(entry.dropped).toBe(true);
    expect(line.ahead).toEqual([]);
    let ran = false;
    const result = await runInTurn(sent, () => {
      ran = true;
      return done;
    });
    expect(ran).toBe(false);
    expect(result).toMatchObject({ skipped: true });
  });

  it('cannot drop a job its worker has started; reclaims it only once it has ended (its answer lost with the worker)', async () => {
    const line = new WorkerLine<JobInLine>(true);
    send(line, false);
    const { entry, sent } = send(line, true);
    let reclaimedWhileRunning: boolean | undefined;
    await runInTurn(sent, () => {
      reclaimedWhileRunning = line.reclaim(entry);
      expect(line.drop(entry)).toBe(false);
      return done;
    });
    expect(reclaimedWhileRunning).toBe(false);
    expect(line.reclaim(entry)).toBe(true);
    expect(line.ahead).toEqual([]);
  });

  it('gives back the job furthest from starting when another worker falls idle', () => {
    const line = new WorkerLine<JobInLine>(true);
    const head = send(line, false).entry;
    const first = send(line, true).entry;
    const last = send(line, true).entry;
    expect(line.dropLast()).toBe(last);
    expect(line.all()).toEqual([head, first]);
    // The head ends: the first job ahead is the one the worker runs now.
    expect(line.advance()).toBe(first);
    expect(line.all()).toEqual([first]);
  });

  it('holds no more jobs ahead than its depth', () => {
    const line = new WorkerLine<JobInLine>(true);
    send(line, false);
    let held = 0;
    while (line.takesAhead(job)) {
      send(line, true);
      held++;
    }
    expect(held).toBe(JOBS_AHEAD);
  });
});
