import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    // Each test runs a program in its own process, with its own workers: 2 at a time on 2 cores.
    maxConcurrency: 2,
  },
});
