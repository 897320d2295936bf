import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { scenarios } from '../fixtures/crash-scenarios.js';

const exec = promisify(execFile);
const SCENARIOS = fileURLToPath(new URL('../fixtures/crash-scenarios.js', import.meta.url));
const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

type Scenarios = typeof scenarios;

/**
 * Runs a scenario of `fixtures/crash-scenarios.js` in a process of its own,
 * with stdout and stderr piped: its workers inherit that stderr, so what they
 * print as they die is captured here (and asserted on) instead of reaching the
 * terminal. Resolves with the scenario's report and that stderr.
 */
export async function runScenario<K extends keyof Scenarios>(
  name: K,
  ...args: Parameters<Scenarios[K]>
): Promise<{ report: Awaited<ReturnType<Scenarios[K]>>; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [SCENARIOS, name, ...args], {
      cwd: PACKAGE,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    return { report: JSON.parse(last), stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`scenario '${name}' failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}
