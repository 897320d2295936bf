import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every file starts real Redis servers and host processes: one file at a time on small machines.
    fileParallelism: false,
    globalSetup: ['./test/support/global-setup.ts'],
  },
});
