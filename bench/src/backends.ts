/**
 * The parapool backends the bench knows: one entry each (name → package →
 * createPool). A backend whose package is not built yet is reported as not
 * available instead of failing the run.
 */
import { readFileSync } from 'node:fs';
import type { Pool, PoolOptions } from '@parapool/core';
import { startBullmqCluster } from './bullmq-cluster.js';
import type { BackendName } from './ids.js';
import type { SubjectInfo } from './results.js';

/** A backend's createPool, as every adapter exports it. */
export type CreatePool = (options: PoolOptions) => Pool;

/** An entry of the repository's one list of adapters (backends.json at its root). */
export interface ListedBackend {
  readonly name: string;
  readonly about: string;
  /** Its colour in the charts (one from its name if none). */
  readonly color?: string;
}

/** The adapters, as backends.json lists them (read from src/ and dist/ alike). */
export const listedBackends: readonly ListedBackend[] = (
  JSON.parse(readFileSync(new URL('../../backends.json', import.meta.url), 'utf8')) as { backends: ListedBackend[] }
).backends;

/**
 * Backend name → the package whose `createPool` builds it: the core's inline
 * backend, every adapter of backends.json (adding a backend there adds it
 * here), and bullmq, which needs its own Redis and hosts.
 */
export const backendPackages: Readonly<Record<string, `@parapool/${string}`>> = {
  inline: '@parapool/core',
  ...Object.fromEntries(listedBackends.map(({ name }) => [name, `@parapool/${name}` as const])),
  bullmq: '@parapool/bullmq',
};

/** Every known backend name, in the order of the tables. */
export const backendNames = Object.keys(backendPackages) as BackendName[];

/** Whether `name` is a known backend. */
export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(backendPackages, name);
}

/** A backend's column: its createPool when it loaded, or why it cannot run (`reason`). */
export type LoadedBackend = SubjectInfo & { readonly kind: 'parapool'; readonly createPool?: CreatePool };

/** A backend that cannot run, and why. */
export function unavailable(id: string, reason: string): LoadedBackend {
  return { id, label: id, kind: 'parapool', available: false, reason };
}

/** Imports a backend's package; never throws. */
export function loadBackend(name: string): Promise<LoadedBackend> {
  if (!isBackendName(name)) return Promise.resolve(unavailable(name, `no such backend (known: ${knownBackends()})`));
  if (name === 'bullmq') return loadBullmq();
  return loadBackendFrom(name, backendPackages[name] ?? `@parapool/${name}`);
}

/** Starts bullmq's own Redis and hosts on this machine (bullmq-cluster.ts); never throws. */
async function loadBullmq(): Promise<LoadedBackend> {
  try {
    return { id: 'bullmq', label: 'bullmq', kind: 'parapool', available: true, createPool: await startBullmqCluster() };
  } catch (error) {
    return unavailable('bullmq', (error as Error).message);
  }
}

/** Imports `specifier` and takes its createPool; never throws. */
export async function loadBackendFrom(name: string, specifier: string): Promise<LoadedBackend> {
  try {
    // A non-literal specifier: the bench builds before every adapter exists.
    const module = (await import(specifier)) as { createPool?: unknown };
    if (typeof module.createPool !== 'function') return unavailable(name, `${specifier} does not export createPool()`);
    return { id: name, label: name, kind: 'parapool', available: true, createPool: module.createPool as CreatePool };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const missing = code === 'ERR_MODULE_NOT_FOUND' && (message.includes(specifier) || message.includes('/dist/'));
    return unavailable(
      name,
      missing
        ? `${specifier} is not built yet (run \`pnpm build\` at the repository root)`
        : `${specifier} failed to load: ${message}`,
    );
  }
}

/** Names of every known backend, for messages. */
export function knownBackends(): string {
  return backendNames.join(', ');
}
