import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Checks spawn tsc, attw, node: two at a time on 2 cores.
    maxConcurrency: 2,
  },
});
