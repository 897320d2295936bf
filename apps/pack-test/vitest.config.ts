import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Packs every package once and rehearses a release to a registry it runs (test/global-setup.ts);
    // each test file installs from those tarballs or from that registry.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Checks spawn tsc, attw, npm, node: two at a time on 2 cores.
    maxConcurrency: 2,
  },
});
