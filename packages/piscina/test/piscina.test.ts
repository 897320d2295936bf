import { describe, expect, it } from 'vitest';
import { createPool } from '../dist/index.js';

describe('options', () => {
  it('refuses the piscina options it sets itself, saying what to use instead', () => {
    expect(() => createPool({ piscina: { maxThreads: 4 } as never })).toThrow(/processes/);
    expect(() => createPool({ piscina: { filename: 'x.js' } as never })).toThrow(TypeError);
  });
});
