import { describe, expect, it } from 'vitest';
import { JobReader, JobWriter } from '../src/wire/channel.js';
import type { Job, JobResult } from '../src/wire/job.js';

const square = { kind: 'module' as const, module: 'file:///tasks.js', name: 'square' };
const cube = { kind: 'module' as const, module: 'file:///tasks.js', name: 'cube' };
const inline = { kind: 'inline' as const, source: '(x) => x + 1' };
const worker = { id: 'worker-7', pid: 42, threadId: 3 };

/** Writes `jobs` in order, sends each (`writer.sent`) and reads it back on the worker's side. */
function through(jobs: Job[], last?: true) {
  const writer = new JobWriter();
  const reader = new JobReader();
  return jobs.map((job, i) => {
    const message = writer.write(i + 1, job, last);
    writer.sent(message);
    return { message, ...reader.read(structuredClone(message)) };
  });
}

describe("a channel worker's messages", () => {
  it('a job reads back as it was written, every field', () => {
    const columns = [new Float64Array([1, 2]), [3, 4]];
    const job: Job = {
      task: square,
      items: new Float64Array([1, 2, 3, 4]),
      spread: true,
      columns,
      rowWidth: 2,
      columnRowWidths: [2, 0],
      initializer: { task: inline, args: [1, 'a'] },
      gate: 3,
      gateCells: new Int32Array(new SharedArrayBuffer(32)),
    };
    const [read] = through([job]);
    expect(read?.job).toEqual(job);
    expect(read?.last).toBe(false);
  });

  it("fields a job or a result carries besides the Job's and JobResult's own (the codec's) travel too", () => {
    const codec = { marked: true, classes: { Point: 'file:///point.js' } };
    const job = { task: square, items: [[1]], spread: true, codec };
    expect(through([job as Job])[0]?.job).toEqual(job);
    const result = { values: [1], ran: { ms: 1, worker }, codec };
    const reader = new JobReader();
    expect(new JobWriter().read(structuredClone(reader.reply(1, result)))).toEqual(result);
  });

  it('a plain job reads back without fields it did not have', () => {
    const [read] = through([{ task: inline, items: [[1]], spread: true }]);
    expect(read?.job).toStrictEqual({ task: inline, items: [[1]], spread: true });
  });

  it("a task's TaskRef travels only with the first job of that task; later ones carry its number", () => {
    const reads = through([
      { task: square, items: [1], spread: false },
      { task: cube, items: [2], spread: false },
      { task: square, items: [3], spread: false },
      // Another TaskRef object naming the same task: still its number.
      { task: { ...square }, items: [4], spread: false },
      { task: cube, items: [5], spread: false },
    ]);
    expect(reads.map(({ message }) => message[6])).toEqual([square, cube, undefined, undefined, undefined]);
    expect(reads.map(({ job }) => job.task)).toEqual([square, cube, square, square, cube]);
  });

  it("a single job (a Process's) says it is the last one", () => {
    const [read] = through([{ task: square, items: [[1]], spread: true }], true);
    expect(read?.last).toBe(true);
  });

  it('a job that could not be sent (an argument the channel refused) leaves its task untold: the next job carries it', () => {
    const writer = new JobWriter();
    const reader = new JobReader();
    writer.write(1, { task: square, items: [() => 1], spread: false }); // never sent: postMessage threw
    const next = writer.write(2, { task: square, items: [2], spread: false });
    writer.sent(next);
    expect(next[6]).toEqual(square);
    expect(reader.read(structuredClone(next)).job.task).toEqual(square);
  });

  it('a number never sent to this worker is refused with a clear error', () => {
    const writer = new JobWriter();
    writer.sent(writer.write(1, { task: square, items: [1], spread: false }));
    const second = writer.write(2, { task: square, items: [2], spread: false });
    expect(() => new JobReader().read(second)).toThrow(/task number 0 was never sent to this worker/);
  });

  it('answers read back as the results, with who ran them though only the first one said so', () => {
    const reader = new JobReader();
    const writer = new JobWriter();
    const results: JobResult[] = [
      { values: new Float64Array([1, 4]), ran: { ms: 1.5, worker } },
      {
        values: [undefined, 2],
        failures: [{ index: 0, error: { name: 'Error', message: 'no' } }],
        ran: { ms: 0.25, worker },
      },
      { values: [], skipped: true },
    ];
    const replies = results.map((result, i) => {
      const message = reader.reply(i + 1, result);
      reader.sent(message);
      return message;
    });
    expect(replies.map((reply) => reply[5])).toEqual([worker, undefined, undefined]);
    expect(replies.map((reply) => writer.read(structuredClone(reply)))).toEqual(results);
  });

  it('a worker that could not send its first answer says who it is in the next one', () => {
    const reader = new JobReader();
    const result: JobResult = { values: [1], ran: { ms: 1, worker } };
    reader.reply(1, result); // never sent
    expect(reader.reply(2, result)[5]).toEqual(worker);
  });
});
