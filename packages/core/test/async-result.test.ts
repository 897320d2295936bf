import { describe, expect, it } from 'vitest';
import { AsyncResultImpl } from '../src/pool/async-result.js';

describe('AsyncResult', () => {
  it('refuses a negative or non-number timeout with a RangeError', () => {
    const result = AsyncResultImpl.from(Promise.resolve(1));
    expect(() => result.get(-1)).toThrow(RangeError);
    expect(() => result.wait(Number.NaN)).toThrow(RangeError);
  });

  it('an errorCallback that throws rejects with its own error', async () => {
    const result = AsyncResultImpl.from(Promise.reject(new Error('task')), {
      errorCallback: () => {
        throw new Error('handler');
      },
    });
    await expect(result.get()).rejects.toThrow('handler');
  });

  it('get() after settling returns the value without a timer', async () => {
    const result = AsyncResultImpl.from(Promise.resolve('v'));
    await result.wait();
    expect(await result.get(0)).toBe('v');
  });
});
