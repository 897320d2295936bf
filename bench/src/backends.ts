/**
 * The parapool backends the bench knows: one entry each (name → package →
 * createPool). A backend whose package is not built yet is reported as not
 * available instead of failing the run.
 */
import type { Pool, PoolOptions } from '@parapool/core';
import { loadBullmq } from './bullmq-cluster.js';

/** A backend's createPool, as every adapter exports it. */
export type CreatePool = (options: PoolOptions) => Pool;

/** A backend the bench can run, or why it cannot. */
export type LoadedBackend =
  | { readonly name: string; readonly available: true; readonly createPool: CreatePool }
  | { readonly name: string; readonly available: false; readonly reason: string };

/** Backend name → the package whose `createPool` builds it. */
export const backendPackages: Readonly<Record<string, string>> = {
  inline: '@parapool/core',
  piscina: '@parapool/piscina',
  tinypool: '@parapool/tinypool',
  threads: '@parapool/threads',
  'child-process': '@parapool/child-process',
  workerpool: '@parapool/workerpool',
  bullmq: '@parapool/bullmq',
};

/** Imports a backend's package; never throws. */
export function loadBackend(name: string): Promise<LoadedBackend> {
  const specifier = backendPackages[name];
  if (!specifier) {
    return Promise.resolve({ name, available: false, reason: `no such backend (known: ${knownBackends()})` });
  }
  if (name === 'bullmq') return loadBullmq(); // starts its own Redis and hosts
  return loadBackendFrom(name, specifier);
}

/** Imports `specifier` and takes its createPool; never throws. */
export async function loadBackendFrom(name: string, specifier: string): Promise<LoadedBackend> {
  try {
    // A non-literal specifier: the bench builds before every adapter exists.
    const module = (await import(specifier)) as { createPool?: unknown };
    if (typeof module.createPool !== 'function') {
      return { name, available: false, reason: `${specifier} does not export createPool()` };
    }
    return { name, available: true, createPool: module.createPool as CreatePool };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const missing = code === 'ERR_MODULE_NOT_FOUND' && (message.includes(specifier) || message.includes('/dist/'));
    const reason = missing
      ? `${specifier} is not built yet (run \`pnpm build\` at the repository root)`
      : `${specifier} failed to load: ${message}`;
    return { name, available: false, reason };
  }
}

/** Names of every known backend, for messages. */
export function knownBackends(): string {
  return Object.keys(backendPackages).join(', ');
}
