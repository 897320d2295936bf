import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real browser over a few hundred pages, on 2 cores that other test runs keep busy.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // One browser at a time: the site's crawl and the bench report each start their own.
    fileParallelism: false,
  },
});
