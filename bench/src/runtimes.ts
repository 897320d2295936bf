/**
 * `--runtime node24,bun,deno`: the same bench under each runtime, one after
 * the other (each in its own process, its results in a folder of its own),
 * then one decision per kind of work: which backend, on which runtime.
 *
 * Runtimes other than the one running the bench come from the npm registry
 * (packages that hold the binary), installed on first use by the runtime
 * matrix's installer (scripts/runtimes.mjs --install-only) into the
 * repository's git-ignored .runtimes/, where .ci/run puts its Node 24.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ms } from './format.js';
import { benchDir } from './paths.js';
import type { BenchResults, Recommendation } from './results.js';

const execFileAsync = promisify(execFile);

interface Runtime {
  /** Whether scripts/runtimes.mjs installs it (all but `node`, the Node running the bench). */
  readonly installed: boolean;
  /** Arguments before the script. */
  readonly args: readonly string[];
}

/** The runtimes --runtime knows. `node` is the one running the bench. */
export const RUNTIMES: Readonly<Record<string, Runtime>> = {
  node: { installed: false, args: [] },
  node22: { installed: true, args: [] },
  node24: { installed: true, args: [] },
  node26: { installed: true, args: [] },
  bun: { installed: true, args: [] },
  deno: { installed: true, args: ['run', '-A', '--node-modules-dir=manual'] },
};

function run(command: string, args: readonly string[], options: { stdio: 'inherit' | 'ignore' }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: benchDir, stdio: ['ignore', options.stdio, 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** The binary of `name`, installed from the npm registry on first use. */
export async function binaryOf(name: string): Promise<string> {
  const runtime = RUNTIMES[name];
  if (!runtime) throw new Error(`unknown runtime ${name} (known: ${Object.keys(RUNTIMES).join(', ')})`);
  if (!runtime.installed) return process.execPath;
  const script = join(benchDir, '..', 'scripts', 'runtimes.mjs');
  const { stdout } = await execFileAsync(process.execPath, [script, '--runtimes', name, '--install-only'], {
    encoding: 'utf8',
  }).catch((error: Error) => {
    throw new Error(`installing ${name} failed: ${error.message}`);
  });
  return (JSON.parse(stdout) as Record<string, string>)[name] as string;
}

/** One runtime's run: its results, or why it has none. */
export interface RuntimeRun {
  readonly runtime: string;
  readonly results?: BenchResults;
  readonly error?: string;
}

/** Runs the bench under each runtime with `argv` (the options but --runtime and --out) into `out`/<runtime>. */
export async function runAcross(
  runtimes: readonly string[],
  argv: readonly string[],
  out: string,
): Promise<RuntimeRun[]> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const runs: RuntimeRun[] = [];
  for (const runtime of runtimes) {
    const dir = join(out, runtime);
    try {
      const bin = await binaryOf(runtime);
      process.stdout.write(`\n=== ${runtime} (${bin === process.execPath ? 'this Node' : bin}) ===\n`);
      await run(bin, [...(RUNTIMES[runtime]?.args ?? []), cli, ...argv, '--out', dir], { stdio: 'inherit' });
      const results = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as BenchResults;
      runs.push({ runtime, results });
    } catch (error) {
      runs.push({ runtime, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return runs;
}

/** What a recommendation picked: its choice, or the backends it could not tell apart. */
function picked(r: Recommendation): string {
  if (r.choice) return r.choice;
  return r.tied.length ? `no single winner (${r.tied.join(', ')})` : 'no recommendation';
}

/**
 * The decision across runtimes, per kind of work: each runtime's pick, and the
 * runtime whose pick ran fastest when its interval is clear of the others'.
 */
export function decisionAcross(runs: readonly RuntimeRun[]): string[] {
  const lines: string[] = [];
  const works = [...new Set(runs.flatMap((r) => r.results?.recommendations.map((x) => x.work) ?? []))];
  for (const work of works) {
    const picks = runs.flatMap((r) => {
      const rec = r.results?.recommendations.find((x) => x.work === work);
      return rec ? [{ runtime: `${r.runtime} (${r.results?.machine.runtime ?? r.results?.machine.node})`, rec }] : [];
    });
    const title = picks[0]?.rec.title ?? work;
    const timed = picks
      .filter((p) => p.rec.figure?.ci && (p.rec.choice || p.rec.tied.length))
      .sort((a, b) => (a.rec.figure?.medianMs ?? 0) - (b.rec.figure?.medianMs ?? 0));
    const [fastest, next] = timed;
    const clear =
      fastest?.rec.figure?.ci && next?.rec.figure?.ci && fastest.rec.figure.ci.high < next.rec.figure.ci.low;
    const verdict =
      fastest && clear
        ? `Fastest: ${picked(fastest.rec)} on ${fastest.runtime}, ${ms(fastest.rec.figure?.medianMs)} (next: ${next?.runtime}, ${ms(next?.rec.figure?.medianMs)}).`
        : timed.length < 2
          ? 'Too few runtimes with a pick to compare them.'
          : 'No runtime is clearly fastest: their intervals overlap.';
    lines.push(`- ${title}: ${picks.map((p) => `on ${p.runtime}: ${picked(p.rec)}`).join('; ')}. ${verdict}`);
  }
  for (const r of runs) if (r.error) lines.push(`- ${r.runtime}: did not run: ${r.error}`);
  return lines;
}

/** Writes runtimes.md (the decision across runtimes, each runtime's report linked) into `out`; returns its path. */
export async function writeAcross(runs: readonly RuntimeRun[], out: string): Promise<string> {
  const file = join(out, 'runtimes.md');
  const text = [
    '# parapool bench across runtimes',
    '',
    '## Which backend, on which runtime',
    '',
    ...decisionAcross(runs),
    '',
    '## Each runtime',
    '',
    ...runs.map((r) =>
      r.results
        ? `- [${r.runtime}](${r.runtime}/report.html): ${r.results.machine.runtime ?? r.results.machine.node}, ${r.results.ok ? 'every answer right' : 'some runs failed (see its report)'}, ${Math.round(r.results.durationS)} s`
        : `- ${r.runtime}: ${r.error}`,
    ),
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}
