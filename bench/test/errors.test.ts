import { describe, expect, it } from 'vitest';
import { describeError, errorLine } from '../src/errors.js';

describe('errors in the report', () => {
  it('follow the cause chain, with the codes', () => {
    const socket = Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    const error = new TypeError('fetch failed', { cause: socket });
    const described = describeError(error);
    expect(described).toEqual({
      error: 'TypeError: fetch failed',
      causes: ['SocketError: other side closed (UND_ERR_SOCKET)'],
    });
    expect(errorLine(described.error, described.causes)).toBe(
      'TypeError: fetch failed ← caused by SocketError: other side closed (UND_ERR_SOCKET)',
    );
  });

  it('stop at a cycle and describe non-errors', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(describeError(b).causes).toEqual(['Error: a']);
    expect(describeError('just a string')).toEqual({ error: 'just a string', causes: [] });
  });
});
