#!/usr/bin/env node
// The `parapool-worker` command. It is this small committed file, not dist/cli.js itself, so that the
// command exists before the package is built: in a fresh checkout `pnpm install` links it without
// warning, and running it before `pnpm build` says what to do instead of failing on a missing file.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(cli))) {
    process.stderr.write(
      'parapool-worker: @parapool/bullmq is not built (dist/cli.js is missing): run `pnpm build` in the checkout first\n',
    );
    process.exit(1);
  }
  throw error;
}
