import { describe, expect, it } from 'vitest';
import { AdaptiveChunks } from '../src/pool/adaptive-chunks.js';

describe('AdaptiveChunks', () => {
  it('starts at one item and at most doubles per finished chunk', () => {
    const chunks = new AdaptiveChunks();
    expect(chunks.size).toBe(1);
    const sizes = [];
    for (let i = 0; i < 6; i++) {
      const n = chunks.size;
      chunks.observe(n, n * 0.001, n * 0.001 + 0.1); // 1 µs of work per item, 100 µs to move a chunk
      sizes.push(chunks.size);
    }
    expect(sizes).toEqual([2, 4, 8, 16, 32, 64]);
  });

  it('settles where moving a chunk costs about a tenth of its work', () => {
    const chunks = new AdaptiveChunks();
    for (let i = 0; i < 30; i++) {
      const n = chunks.size;
      chunks.observe(n, n * 0.01, n * 0.01 + 0.1); // 10 µs per item, 100 µs per chunk: 100 items
    }
    expect(chunks.size).toBe(100);
  });

  it('stays at one item when items are slow against the cost of a message', () => {
    const chunks = new AdaptiveChunks();
    for (let i = 0; i < 10; i++) chunks.observe(1, 50, 50.1);
    expect(chunks.size).toBe(1);
  });

  it('never exceeds its maximum, even for free items', () => {
    const chunks = new AdaptiveChunks();
    for (let i = 0; i < 40; i++) chunks.observe(chunks.size, 0, 0.1);
    expect(chunks.size).toBe(AdaptiveChunks.max);
  });
});
