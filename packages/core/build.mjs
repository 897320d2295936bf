#!/usr/bin/env node
/**
 * Builds dist/: the entries (`.`, `./adapter`, `./worker`, `./process`) and the worker process's
 * (`process-worker.js`) bundled by esbuild, the declarations by tsc (`tsc -p tsconfig.build.json`, emitting .d.ts only).
 *
 * Why bundle: every worker imports both entries (the worker runtime, then a
 * task module's `@parapool/core`), and Node 20 loads ES module files one by
 * one, with no compile cache: forty small files cost a fresh worker about
 * 30 ms before its first task, one file per entry a fraction of that.
 *
 * Code splitting puts what both entries use into one shared chunk, so a
 * thread that imports both evaluates that code once: a class or function is
 * the same object through either entry (test/bundle.test.ts checks it).
 * Packages (cli-progress, tsx) and Node built-ins stay imports.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = new URL('./dist/', import.meta.url);
// Nothing from an earlier layout may linger: dist/ is what gets packed.
rmSync(dist, { recursive: true, force: true });

await build({
  absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
  entryPoints: ['src/index.ts', 'src/adapter.ts', 'src/worker.ts', 'src/process.ts', 'src/process-worker.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  // Maps point at src/, which the package ships (as tsc's did).
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
