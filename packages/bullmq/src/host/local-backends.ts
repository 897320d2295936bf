/**
 * The local parapool backends a host can run its chunks on (`--backend`).
 * Each is an adapter package (the list is backends.json's, copied into adapters.ts);
 * each is an optional peer, installed beside @parapool/bullmq on hosts that use it.
 */
import type { Backend, BackendOptions } from '@parapool/core/adapter';
import { ADAPTERS } from './adapters.js';

/** Builds a local backend for one caller pool. */
export type LocalBackendFactory = (options: BackendOptions) => Backend;

const LOCAL: Record<string, { readonly pkg: string; readonly exported: string }> = {
  ...Object.fromEntries(
    Object.entries(ADAPTERS).map(([name, exported]) => [name, { pkg: `@parapool/${name}`, exported }]),
  ),
  inline: { pkg: '@parapool/core/adapter', exported: 'InlineBackend' },
};

/** Names `--backend` accepts. */
export const LOCAL_BACKENDS: readonly string[] = Object.keys(LOCAL);

/** Loads the adapter for `name`; throws an error that says what to install. */
export async function loadLocalBackend(name: string): Promise<LocalBackendFactory> {
  const adapter = LOCAL[name];
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
