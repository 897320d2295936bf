import { describe, expect, it } from 'vitest';
import type { Job, JobResult } from '../src/wire/job.js';
import { handOutAhead, JOBS_AHEAD, type JobInLine, runInTurn, takeBack, WorkerLine } from '../src/wire/jobs-ahead.js';

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

  it('leaves a worker to be retired with what it runs: the jobs it has not started are dropped, in their order', async () => {
    const line = new WorkerLine<JobInLine>(true);
    const head = send(line, false);
    const held = [send(line, true), send(line, true), send(line, true)];
    // The head ends in the worker (its answer not heard yet) and the first job ahead starts there.
    await runInTurn(head.sent, () => done);
    let during: { dropped: JobInLine[]; staying: number } | undefined;
    await runInTurn(held[0]!.sent, () => {
      during = line.dropWaiting();
      return done;
    });
    expect(during).toEqual({ dropped: [held[1]!.entry, held[2]!.entry], staying: 2 });
    expect(line.all()).toEqual([head.entry, held[0]!.entry]);
  });

  it('drops a head held ahead that has not started yet, too (its predecessor ended and was answered)', () => {
    const line = new WorkerLine<JobInLine>(true);
    send(line, false);
    const next = send(line, true).entry;
    line.advance();
    expect(line.dropWaiting()).toEqual({ dropped: [next], staying: 0 });
  });

  it('releases the line of a worker that died: what it had not started or had ended runs again, what it ran is lost', async () => {
    const line = new WorkerLine<JobInLine>(true);
    const head = send(line, false);
    const held = [send(line, true), send(line, true)];
    await runInTurn(head.sent, () => done); // ended there, its answer never heard
    let released: { again: JobInLine[]; lost: JobInLine[] } | undefined;
    await runInTurn(held[0]!.sent, () => {
      released = line.release(); // the worker dies while it runs the first job ahead
      return done;
    });
    expect(released).toEqual({ again: [head.entry, held[1]!.entry], lost: [held[0]!.entry] });
    expect(line.all()).toEqual([]);
  });

  it('without jobs ahead, releases its head as lost', () => {
    const line = new WorkerLine<JobInLine>(false);
    const { entry } = send(line, false);
    expect(line.release()).toEqual({ again: [], lost: [entry] });
  });

  it('hands jobs out ahead one per busy worker per round, and takes one back from the worker holding the most', () => {
    const workers = [{ line: new WorkerLine<JobInLine>(true) }, { line: new WorkerLine<JobInLine>(true) }];
    for (const worker of workers) send(worker.line, false);
    const waiting = ['a', 'b', 'c'];
    const given: string[][] = [[], []];
    handOutAhead(workers, waiting, (worker, name) => {
      send(worker.line, true);
      given[workers.indexOf(worker)]!.push(name);
      return true;
    });
    expect(waiting).toEqual([]);
    expect(given).toEqual([['a', 'c'], ['b']]);
    // The first worker holds two ahead: its last one ('c', the furthest from starting) comes back.
    const furthest = workers[0]!.line.ahead.at(-1);
    const taken = takeBack(workers.map((worker) => worker.line));
    expect(taken).toBe(furthest);
    expect(taken?.dropped).toBe(true);
    expect(workers.map((worker) => worker.line.ahead.length)).toEqual([1, 1]);
  });

  it('hands out no job to a worker that refuses it, and leaves it waiting', () => {
    const workers = [{ line: new WorkerLine<JobInLine>(true) }];
    send(workers[0]!.line, false);
    const waiting = ['a'];
    handOutAhead(workers, waiting, () => false);
    expect(waiting).toEqual(['a']);
  });
});
