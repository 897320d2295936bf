import { describe, expect, it } from 'vitest';
import type { Recommendation } from '../src/results.js';
import { binaryOf, decisionAcross } from '../src/runtimes.js';
import { resultsOf } from './fixtures.js';

const cpu = (choice: string | null, medianMs: number, halfWidth: number, tied: string[] = []): Recommendation => ({
  work: 'cpu-bound',
  title: 'CPU-bound work, big items',
  choice,
  tied,
  figure: { medianMs, ci: { low: medianMs - halfWidth, high: medianMs + halfWidth, confidence: 0.95 } },
  text: '',
});

const runOn = (runtime: string, label: string, recommendation: Recommendation) => {
  const results = resultsOf([], { recommendations: [recommendation] });
  return { runtime, results: { ...results, machine: { ...results.machine, runtime: label } } };
};

describe('the bench across runtimes', () => {
  it("names each runtime's pick, and the runtime whose pick ran fastest when its interval is clear", () => {
    const lines = decisionAcross([
      runOn('node24', 'node v24.1.0', cpu('piscina', 330, 5)),
      runOn('bun', 'bun 1.3.0', cpu(null, 300, 5, ['tinypool', 'threads'])),
    ]);
    expect(lines).toEqual([
      '- CPU-bound work, big items: on node24 (node v24.1.0): piscina; on bun (bun 1.3.0): no single winner (tinypool, threads). Fastest: no single winner (tinypool, threads) on bun (bun 1.3.0), 300 ms (next: node24 (node v24.1.0), 330 ms).',
    ]);
  });

  it('names no fastest runtime when the intervals overlap, and says why a runtime did not run', () => {
    const lines = decisionAcross([
      runOn('node24', 'node v24.1.0', cpu('piscina', 330, 40)),
      runOn('deno', 'deno 2.5.0', cpu('piscina', 320, 40)),
      { runtime: 'bun', error: 'npm install @oven/bun-linux-x64@1 failed (exit 1)' },
    ]);
    expect(lines[0]).toContain('No runtime is clearly fastest: their intervals overlap.');
    expect(lines[1]).toBe('- bun: did not run: npm install @oven/bun-linux-x64@1 failed (exit 1)');
  });

  it('refuses a runtime it does not know, naming the known ones', async () => {
    await expect(binaryOf('node18')).rejects.toThrow(
      /unknown runtime node18 \(known: node, node22, node24, node26, bun, deno\)/,
    );
  });
});
