import { describe, expect, it } from 'vitest';
import { CloneError, InlineTaskError, WorkerCrashedError } from '../src/errors.js';
import { defineTasks } from '../src/tasks.js';
import { deserializeError, isDataCloneError, serializeError } from '../src/wire/error-transport.js';

/** What the caller gets when a worker throws `thrown`: serialized, structured-cloned, rebuilt. */
function across(thrown: unknown): Error {
  return deserializeError(structuredClone(serializeError(thrown)));
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

class ParseError extends SyntaxError {
  override name = 'ParseError';
  constructor(
    message: string,
    public line: number,
    public at?: Point,
  ) {
    super(message);
  }
  where(): string {
    return `line ${this.line}`;
  }
}

defineTasks(
  'file:///virtual/error-classes.js',
  {},
  { classes: { ErrorTestPoint: Point, ErrorTestParseError: ParseError } },
);

describe('errors crossing a worker boundary', () => {
  it('keep name, message, stack and every own property whose value can be cloned', () => {
    class DbError extends Error {
      override name = 'DbError';
      code = 'E_DB';
      retry = true;
      detail = { nested: true, list: [1, 'two'], when: new Date(0) };
      seen = new Map([['a', new Set([1])]]);
    }
    const data = serializeError(new DbError('lost'));
    expect(structuredClone(data)).toEqual(data);
    const error = deserializeError(structuredClone(data));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DbError');
    expect(error.message).toBe('lost');
    expect(error.stack).toContain('DbError: lost');
    expect(error).toMatchObject({ code: 'E_DB', retry: true, detail: { nested: true, list: [1, 'two'] } });
    const detail = (error as unknown as { detail: { when: Date } }).detail;
    expect(detail.when).toBeInstanceOf(Date);
    expect(detail.when.getTime()).toBe(0);
    expect((error as unknown as { seen: Map<string, Set<number>> }).seen.get('a')?.has(1)).toBe(true);
  });

  it('rebuild built-in classes as themselves, subclasses included', () => {
    expect(across(new TypeError('t'))).toBeInstanceOf(TypeError);
    expect(across(new RangeError('r'))).toBeInstanceOf(RangeError);
    expect(across(new URIError('u'))).toBeInstanceOf(URIError);
    class NotFound extends TypeError {
      override name = 'NotFound';
    }
    const error = across(new NotFound('gone'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('NotFound');
  });

  it('keep the cause chain, each cause rebuilt as an error of its class with its own properties', () => {
    const root = Object.assign(new TypeError('root'), { code: 'E_ROOT' });
    const error = across(new Error('top', { cause: new RangeError('middle', { cause: root }) }));
    expect(error.cause).toBeInstanceOf(RangeError);
    const middle = error.cause as Error;
    expect(middle.message).toBe('middle');
    expect(middle.stack).toContain('RangeError: middle');
    expect(middle.cause).toBeInstanceOf(TypeError);
    expect((middle.cause as Error & { code: string }).code).toBe('E_ROOT');
    expect(Object.getOwnPropertyDescriptor(error, 'cause')?.enumerable).toBe(false);
  });

  it('keep a cause that is not an error as it was', () => {
    const error = across(new Error('failed', { cause: { status: 503, retryAfter: [1, 2] } }));
    expect(error.cause).toEqual({ status: 503, retryAfter: [1, 2] });
  });

  it('survive a cause chain with a cycle, and one too long to keep whole', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    const cyclic = across(a);
    expect((cyclic.cause as Error).message).toBe('b');
    expect((cyclic.cause as Error).cause).toBe('[circular]');

    let deep = new Error('0');
    for (let i = 1; i < 200; i++) deep = new Error(String(i), { cause: deep });
    let error: unknown = across(deep);
    let errors = 0;
    while (error instanceof Error) {
      errors++;
      error = error.cause;
    }
    expect(errors).toBeGreaterThan(10);
    expect(errors).toBeLessThan(200);
    expect(String(error)).toMatch(/^\[truncated/);
  });

  it('keep a bounded part of a huge property, and say it was cut', () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ i }));
    const back = across(Object.assign(new Error('big'), { rows, count: 1 })) as Error & {
      rows: unknown[];
      count: number;
    };
    expect(back.count).toBe(1);
    expect(back.rows.length).toBeLessThan(rows.length);
    expect(back.rows.at(-1)).toBe('[truncated]');
    expect(back.rows[0]).toEqual({ i: 0 });
  });

  it('keep AggregateError and its errors', () => {
    const error = across(new AggregateError([new TypeError('one'), new Error('two'), 'three'], 'many'));
    expect(error).toBeInstanceOf(AggregateError);
    const { errors } = error as AggregateError;
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(errors[1].message).toBe('two');
    expect(errors[2]).toBe('three');
  });

  it('keep DOMException with its name and code', () => {
    const error = across(new DOMException('took too long', 'TimeoutError'));
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe('TimeoutError');
    expect((error as DOMException).code).toBe(23);
    expect(error.message).toBe('took too long');
  });

  it('replace what cannot be cloned with a marker, and keep the rest', () => {
    const error = Object.assign(new Error('mixed'), {
      callback: function onDone() {},
      tag: Symbol('tag'),
      nested: { fn: () => 1, keep: 'yes' },
      pending: Promise.resolve(1),
      weak: new WeakMap(),
      port: new MessageChannel().port1,
      fine: 42,
    });
    const data = serializeError(error);
    expect(() => structuredClone(data)).not.toThrow();
    const back = deserializeError(structuredClone(data)) as unknown as Record<string, unknown>;
    expect(back.callback).toBe('[uncloneable: function onDone]');
    expect(back.tag).toBe('[uncloneable: Symbol(tag)]');
    expect(back.nested).toEqual({ fn: '[uncloneable: function fn]', keep: 'yes' });
    expect(back.pending).toBe('[uncloneable: Promise]');
    expect(back.weak).toBe('[uncloneable: WeakMap]');
    expect(back.fine).toBe(42);
    (error.port as { close(): void }).close();
  });

  it('say so where a getter throws, instead of throwing', () => {
    const error = new Error('with a bad getter');
    Object.defineProperty(error, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    const back = across(error) as Error & { bad: unknown };
    expect(back.message).toBe('with a bad getter');
    expect(back.bad).toMatch(/^\[unreadable: the getter of 'bad' threw Error: getter exploded\]$/);

    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no message for you');
      },
    });
    expect(across(hostile).message).toMatch(/unreadable.*no message for you/);
  });

  it('rebuild errors of registered classes as instances of them, fields and methods included', () => {
    const error = across(new ParseError('unexpected token', 7, new Point(3, 4)));
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toBeInstanceOf(SyntaxError);
    const parse = error as ParseError;
    expect(parse.where()).toBe('line 7');
    expect(parse.name).toBe('ParseError');
    expect(parse.at).toBeInstanceOf(Point);
    expect(parse.at?.norm()).toBe(5);
  });

  it('fall back to the built-in class where the receiver does not know the registered one', () => {
    const data = serializeError(new ParseError('unexpected token', 7));
    data.registered = 'NotRegisteredOnThisSide';
    const error = deserializeError(data);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error).not.toBeInstanceOf(ParseError);
    expect(error).toMatchObject({ name: 'ParseError', line: 7 });
  });

  it("rebuild parapool's own errors as instances of their class", () => {
    const error = across(new InlineTaskError('factor'));
    expect(error).toBeInstanceOf(InlineTaskError);
    expect(error.name).toBe('InlineTaskError');
    expect(error.message).toContain("'factor'");
    const crash = across(new WorkerCrashedError({ exitCode: 3 }));
    expect(crash).toBeInstanceOf(WorkerCrashedError);
    expect((crash as WorkerCrashedError).exitCode).toBe(3);
    expect(across(new CloneError('no'))).toBeInstanceOf(CloneError);
  });

  it('keep a plain object that happens to use the marker key', () => {
    const error = Object.assign(new Error('odd'), { data: { '@parapool': 'class', name: 'ErrorTestPoint', data: {} } });
    expect((across(error) as Error & { data: unknown }).data).toEqual({
      '@parapool': 'class',
      name: 'ErrorTestPoint',
      data: {},
    });
  });

  it('turn thrown non-errors into Errors that say what was thrown', () => {
    expect(across('plain string').message).toBe('plain string');
    expect(across(undefined).message).toMatch(/threw undefined/);
    expect(across(42).message).toMatch(/non-Error value \(42\)/);
    expect(across(null).message).toMatch(/null/);
  });

  it('recognise structured-clone failures', () => {
    let cloneError: unknown;
    try {
      structuredClone(() => 1);
    } catch (error) {
      cloneError = error;
    }
    expect(isDataCloneError(cloneError)).toBe(true);
    expect(isDataCloneError(new Error('other'))).toBe(false);
  });
});
