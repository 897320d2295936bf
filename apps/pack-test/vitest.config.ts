import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Packs every package once; each test file installs from those tarballs.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Checks spawn tsc, attw, npm, node: two at a time on 2 cores.
    maxConcurrency: 2,
  },
});
