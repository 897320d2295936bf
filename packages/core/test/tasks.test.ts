import { describe, expect, it } from 'vitest';
import { defineTasks, isTaskHandle, toTaskRef } from '../src/tasks.js';

describe('defineTasks', () => {
  const tasks = defineTasks('file:///virtual/tasks.js', { double: (n: number) => n * 2 });

  it('returns callable handles that carry module and name', () => {
    expect(tasks.double(4)).toBe(8);
    expect(tasks.double.name).toBe('double');
    expect(tasks.double.module).toBe('file:///virtual/tasks.js');
    expect(isTaskHandle(tasks.double)).toBe(true);
    expect(toTaskRef(tasks.double)).toEqual({ kind: 'module', module: 'file:///virtual/tasks.js', name: 'double' });
  });

  it('needs a module URL and functions', () => {
    expect(() => defineTasks('tasks.js', {})).toThrow(/import\.meta\.url/);
    expect(() => defineTasks('file:///x.js', { bad: 5 as never })).toThrow(/not a function/);
  });
});

describe('inline task refs', () => {
  it('carry the function source', () => {
    const ref = toTaskRef((n: number) => n + 1);
    expect(ref.kind).toBe('inline');
    expect(ref.kind === 'inline' && ref.source).toContain('n + 1');
  });

  it('refuse classes, native and bound functions', () => {
    expect(() => toTaskRef(class A {})).toThrow(TypeError);
    expect(() => toTaskRef(Math.max)).toThrow(/native and bound/);
    expect(() => toTaskRef(((n: number) => n).bind(null))).toThrow(/native and bound/);
    expect(() => toTaskRef(42)).toThrow(/must be a function/);
  });
});
