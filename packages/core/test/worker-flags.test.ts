import { describe, expect, it } from 'vitest';
import { threadExecArgv, workerExecArgv } from '../dist/adapter.js';

describe('workerExecArgv: the flags a worker inherits', () => {
  it('keeps the flags that shape a runtime (memory, gc, loaders, conditions)', () => {
    const flags = ['--max-old-space-size=512', '--expose-gc', '--import', 'tsx', '--conditions=dev'];
    expect(workerExecArgv(flags)).toEqual(flags);
  });

  it('drops what the program ran and how (--eval/--print with their code, --input-type in both spellings)', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code', '--expose-gc'])).toEqual(['--expose-gc']);
    expect(workerExecArgv(['--input-type', 'module', '--eval', 'code'])).toEqual([]);
    expect(workerExecArgv(['-pe', 'code', '--trace-warnings'])).toEqual(['--trace-warnings']);
  });

  it("drops the test runner's and the watch mode's flags, and the value of those that take one", () => {
    expect(
      workerExecArgv([
        '--test',
        '--test-name-pattern',
        'x',
        '--test-only',
        '--watch',
        '--watch-path',
        'src',
        '--no-warnings',
      ]),
    ).toEqual(['--no-warnings']);
  });
});

describe('threadExecArgv: the flags a worker thread starts with', () => {
  it("is Node's default (inherit everything) when the program has no parent-only flag", () => {
    expect(threadExecArgv(['--expose-gc', '--max-old-space-size=512'])).toBeUndefined();
  });

  it('leaves out the parent-only flags and those Node refuses in a thread (V8 flags, which hold process-wide)', () => {
    expect(threadExecArgv(['--expose-gc', '--trace-warnings', '--input-type=module', '-e', 'code'])).toEqual([
      '--trace-warnings',
    ]);
  });
});
