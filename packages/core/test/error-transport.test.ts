import { describe, expect, it } from 'vitest';
import { InlineTaskError } from '../src/errors.js';
import { deserializeError, isDataCloneError, serializeError } from '../src/wire/error-transport.js';

describe('errors crossing a worker boundary', () => {
  it('keep name, message, stack and primitive own properties', () => {
    class DbError extends Error {
      override name = 'DbError';
      code = 'E_DB';
      retry = true;
      detail = { nested: true };
    }
    const data = serializeError(new DbError('lost'));
    expect(structuredClone(data)).toEqual(data);
    const error = deserializeError(data);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DbError');
    expect(error.message).toBe('lost');
    expect(error.stack).toContain('DbError: lost');
    expect(error).toMatchObject({ code: 'E_DB', retry: true });
    expect('detail' in error).toBe(false);
  });

  it('rebuild built-in classes as themselves', () => {
    expect(deserializeError(serializeError(new TypeError('t')))).toBeInstanceOf(TypeError);
    expect(deserializeError(serializeError(new RangeError('r')))).toBeInstanceOf(RangeError);
  });

  it("rebuild parapool's own errors as instances of their class", () => {
    const error = deserializeError(serializeError(new InlineTaskError('factor')));
    expect(error).toBeInstanceOf(InlineTaskError);
    expect(error.name).toBe('InlineTaskError');
    expect(error.message).toContain("'factor'");
  });

  it('turn thrown non-errors into Errors that say what was thrown', () => {
    expect(deserializeError(serializeError('plain string')).message).toBe('plain string');
    expect(deserializeError(serializeError(undefined)).message).toMatch(/threw undefined/);
    expect(deserializeError(serializeError(42)).message).toMatch(/non-Error value \(42\)/);
    expect(deserializeError(serializeError(null)).message).toMatch(/null/);
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
