/**
 * The local parapool backends a host can run its chunks on (`--backend`).
 * Each is an adapter package; only the default, piscina, is a dependency.
 */
import type { Backend, BackendOptions } from '@parapool/core';

/** Builds a local backend for one caller pool. */
export type LocalBackendFactory = (options: BackendOptions) => Backend;

const ADAPTERS: Record<string, { readonly pkg: string; readonly exported: string }> = {
  piscina: { pkg: '@parapool/piscina', exported: 'PiscinaBackend' },
  'child-process': { pkg: '@parapool/child-process', exported: 'ChildProcessBackend' },
  tinypool: { pkg: '@parapool/tinypool', exported: 'TinypoolBackend' },
  threads: { pkg: '@parapool/threads', exported: 'ThreadsBackend' },
  workerpool: { pkg: '@parapool/workerpool', exported: 'WorkerpoolBackend' },
  poolifier: { pkg: '@parapool/poolifier', exported: 'PoolifierBackend' },
  inline: { pkg: '@parapool/core', exported: 'InlineBackend' },
};

/** Names `--backend` accepts. */
export const LOCAL_BACKENDS: readonly string[] = Object.keys(ADAPTERS);

/** Loads the adapter for `name`; throws an error that says what to install. */
export async function loadLocalBackend(name: string): Promise<LocalBackendFactory> {
  const adapter = ADAPTERS[name];
  if (!adapter) {
    throw new TypeError(`Unknown --backend '${name}': use one of ${LOCAL_BACKENDS.join(', ')}`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(adapter.pkg)) as Record<string, unknown>;
  } catch (error) {
    const wrapped = new Error(
      `--backend ${name} needs the package ${adapter.pkg}: install it next to @parapool/bullmq (npm install ${adapter.pkg}).`,
    );
    wrapped.cause = error;
    throw wrapped;
  }
  const Ctor = module[adapter.exported] as (new (options: BackendOptions) => Backend) | undefined;
  if (typeof Ctor !== 'function') throw new Error(`${adapter.pkg} does not export ${adapter.exported}`);
  return (options) => new Ctor(options);
}
