import { describe, expect, it } from 'vitest';
import { containsSharedMemory } from '../src/wire/shared-memory.js';

describe('containsSharedMemory', () => {
  it('finds a SharedArrayBuffer or a view of one wherever structured clone would copy it', () => {
    const shared = new SharedArrayBuffer(8);
    expect(containsSharedMemory(shared)).toBe(true);
    expect(containsSharedMemory([1, [2, { deep: new Int32Array(shared) }]])).toBe(true);
    expect(containsSharedMemory(new Map([['k', new Set([shared])]]))).toBe(true);
    expect(containsSharedMemory({ job: { items: [], columns: [[1], [new Uint8Array(shared)]] } })).toBe(true);
  });

  it('says false for data without shared memory, cycles and buffers included', () => {
    const cyclic: Record<string, unknown> = { list: [1, 'a', new Float64Array(4), new ArrayBuffer(2)] };
    cyclic.self = cyclic;
    expect(containsSharedMemory(cyclic)).toBe(false);
    expect(containsSharedMemory(42)).toBe(false);
    expect(containsSharedMemory(null)).toBe(false);
  });
});
