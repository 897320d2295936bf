/**
 * How a worker loads a TypeScript task module, on the runtime running this
 * test: through the runtime itself where it runs TypeScript (Node ≥ 22.18 type
 * stripping, Bun, Deno), through tsx elsewhere or where Node's stripping refuses
 * the module. Each case is a real program in a new folder outside this
 * repository, with a copy of the built core in its node_modules, and tsx there
 * or not, so what the worker finds is what a user's project would have.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('..', import.meta.url));
const requireFromCore = createRequire(join(CORE, 'package.json'));
/** The folder of an installed package, found from the core (its own dependencies) or the repository. */
const packageDir = (name: string) => dirname(realpathSync(requireFromCore.resolve(`${name}/package.json`)));

const versions = process.versions as Record<string, string | undefined>;
const features = process.features as { typescript?: unknown };
/** What this runtime does with a `.ts` file: Bun and Deno transpile it, Node ≥ 22.18 strips its types. */
const runtime =
  versions.bun !== undefined || versions.deno !== undefined
    ? 'transpiles'
    : features.typescript === 'strip' || features.typescript === 'transform'
      ? 'strips'
      : 'needs tsx';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A new project: `tasks.ts` in a package with no "type", the built core installed, tsx or not. */
function project(tasks: string, withTsx: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'parapool-ts-modules-'));
  dirs.push(dir);
  const core = join(dir, 'node_modules', '@parapool', 'core');
  mkdirSync(core, { recursive: true });
  cpSync(join(CORE, 'package.json'), join(core, 'package.json'));
  cpSync(join(CORE, 'dist'), join(core, 'dist'), { recursive: true });
  symlinkSync(packageDir('cli-progress'), join(dir, 'node_modules', 'cli-progress'), 'dir');
  if (withTsx) symlinkSync(packageDir('tsx'), join(dir, 'node_modules', 'tsx'), 'dir');
  // A project's package.json, with no "type": Node decides by the syntax what the module is.
  writeFileSync(join(dir, 'package.json'), '{ "name": "project", "private": true }\n');
  writeFileSync(join(dir, 'tasks.ts'), tasks);
  // What a worker does with a job: the core's worker runtime, in a process of its own.
  writeFileSync(
    join(dir, 'worker.mjs'),
    `import { WorkerRuntime } from '@parapool/core/worker';
const module = new URL('./tasks.ts', import.meta.url).href;
const result = await new WorkerRuntime().runJob({ task: { kind: 'module', module, name: 'area' }, items: [3, 4], spread: false });
process.stdout.write(JSON.stringify({ values: result.values, error: result.failures?.[0]?.error }));
`,
  );
  return dir;
}

/** Runs the project's worker on this runtime: the values, or the error of the first item. */
function runWorker(dir: string): { values?: unknown[]; error?: { name: string; message: string } } {
  const child = spawnSync(process.execPath, [join(dir, 'worker.mjs')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    // Node warns that it detected the module's syntax (the package has no "type"): that is the case tested.
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as { values?: unknown[]; error?: { name: string; message: string } };
}

const ERASABLE = `import { defineTasks } from '@parapool/core';
interface Square { size: number }
const side = (n: number): Square => ({ size: n });
export const tasks = defineTasks(import.meta.url, {
  area(n: number): number {
    const square: Square = side(n);
    return square.size * square.size;
  },
});
`;

/** An enum: TypeScript that Node's type stripping refuses (it is code, not a type). */
const WITH_ENUM = `import { defineTasks } from '@parapool/core';
enum Scale { Unit = 1, Double = 2 }
export const tasks = defineTasks(import.meta.url, {
  area(n: number): number {
    return n * n * Scale.Unit;
  },
});
`;

describe(`TypeScript task modules (this runtime ${runtime === 'needs tsx' ? 'needs tsx' : `${runtime} TypeScript itself`})`, () => {
  it('a module in a package with no "type" runs under the URL its tasks were defined with', () => {
    // On Node ≥ 22.18, tsx loads such a file as CommonJS under another URL: the tasks were not found.
    expect(runWorker(project(ERASABLE, true))).toEqual({ values: [9, 16] });
  });

  it('without tsx installed: runs where the runtime runs TypeScript, elsewhere the error says what to install', () => {
    const outcome = runWorker(project(ERASABLE, false));
    if (runtime === 'needs tsx') {
      expect(outcome.error?.name).toBe('TaskResolutionError');
      expect(outcome.error?.message).toMatch(/needs the "tsx" package: install it .*Node ≥ 22\.18, Bun, Deno/);
    } else {
      expect(outcome).toEqual({ values: [9, 16] });
    }
  });

  it('a module with an enum runs through tsx where Node strips types only', () => {
    expect(runWorker(project(WITH_ENUM, true))).toEqual({ values: [9, 16] });
  });

  it("a module with an enum and no tsx: Node's refusal, saying what to do; Bun and Deno run it", () => {
    const outcome = runWorker(project(WITH_ENUM, false));
    if (runtime === 'transpiles') {
      expect(outcome).toEqual({ values: [9, 16] });
    } else if (runtime === 'strips') {
      expect(outcome.error?.name).toBe('TaskResolutionError');
      expect(outcome.error?.message).toMatch(/TypeScript enum is not supported in strip-only mode/);
      expect(outcome.error?.message).toMatch(/no enum, no parameter properties.*install tsx/);
    } else {
      expect(outcome.error?.message).toMatch(/needs the "tsx" package/);
    }
  });
});
