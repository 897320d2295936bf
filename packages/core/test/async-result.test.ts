import { describe, expect, it } from 'vitest';
import { AsyncResultImpl } from '../src/pool/async-result.js';

function settled<R>(outcome: { value: R } | { error: unknown }, options = {}): AsyncResultImpl<R> {
  const result = new AsyncResultImpl<R>(options);
  if ('value' in outcome) result.fulfill(outcome.value);
  else result.reject(outcome.error);
  return result;
}

describe('AsyncResult', () => {
  it('get() and wait() reject (never throw) a negative, NaN or non-number timeout with a RangeError', async () => {
    const result = settled({ value: 1 });
    for (const bad of [-1, Number.NaN, '100' as unknown as number]) {
      let got: Promise<unknown> | undefined;
      expect(() => {
        got = result.get(bad);
      }).not.toThrow();
      await expect(got).rejects.toThrow(RangeError);
      await expect(result.wait(bad)).rejects.toThrow(/timeoutMs must be a number/);
    }
    await expect(result.get('100' as unknown as number)).rejects.toThrow(/got the string "100"/);
  });

  it('an errorCallback that throws rejects with its own error', async () => {
    const result = settled(
      { error: new Error('task') },
      {
        errorCallback: () => {
          throw new Error('handler');
        },
      },
    );
    await expect(result.get()).rejects.toThrow('handler');
  });

  it('get() after settling returns the value without a timer', async () => {
    const result = settled({ value: 'v' });
    await result.wait();
    expect(await result.get(0)).toBe('v');
  });
});
