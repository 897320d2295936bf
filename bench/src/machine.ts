import { execFile } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import type { MachineInfo } from './results.js';

/** The python3 version, or undefined when there is none. */
export async function pythonVersion(): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await promisify(execFile)('python3', ['--version']);
    return (stdout || stderr).trim().replace(/^Python /, '');
  } catch {
    return undefined;
  }
}

/** The runtime running the bench: Bun and Deno say they are Node too (process.version). */
function runtimeName(): string {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (versions.bun) return `bun ${versions.bun}`;
  if (versions.deno) return `deno ${versions.deno}`;
  return `node ${process.version}`;
}

/** What the figures were measured on. */
export function machineInfo(python: string | undefined): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    availableParallelism: availableParallelism(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    runtime: runtimeName(),
    ...(python ? { python } : {}),
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
