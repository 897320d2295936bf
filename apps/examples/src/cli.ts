/**
 * What every example shares: `--backend <name>` (default piscina) and its
 * numeric options, and one way to print results (`label: <json>`) that both
 * people and the tests can read.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Pool, PoolOptions } from '@parapool/core';

/** The repository's one list of adapters (backends.json at its root), read from src/ and dist/ alike. */
const listed = (
  JSON.parse(readFileSync(new URL('../../../backends.json', import.meta.url), 'utf8')) as {
    backends: Array<{ name: string }>;
  }
).backends.map((backend) => backend.name);

/** The backends an example can run on: the core's inline one, then every adapter. */
export const BACKENDS: readonly string[] = ['inline', ...listed];
export type BackendName = string;

type CreatePool = (options?: PoolOptions) => Pool;

/** `@parapool/<name>`'s createPool (the core's inline one for 'inline'). */
async function load(backend: BackendName): Promise<{ createPool: CreatePool }> {
  return (await import(backend === 'inline' ? '@parapool/core' : `@parapool/${backend}`)) as { createPool: CreatePool };
}

function usage(message: string, numbers: Record<string, number>): never {
  const extra = Object.entries(numbers).map(([name, value]) => ` [--${name} <n>, default ${value}]`);
  console.error(`${message}\nusage: --backend <${BACKENDS.join('|')}>${extra.join('')}`);
  process.exit(2);
}

/**
 * Reads `--backend <name>` and the example's numeric options from the command
 * line, and loads that backend's `createPool`.
 *
 * @param numbers the example's numeric options and their defaults
 */
export async function exampleArgs<K extends string = never>(
  numbers: Record<K, number> = {} as Record<K, number>,
): Promise<{ backend: BackendName; createPool: CreatePool; options: Record<K, number>; insights: boolean }> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm <script> -- --backend x` may pass the `--` along.
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      options: {
        backend: { type: 'string', short: 'b', default: 'piscina' },
        // Print the pool's insights summary (formatInsights) on stderr at the end.
        insights: { type: 'boolean', default: false },
        ...Object.fromEntries(Object.keys(numbers).map((name) => [name, { type: 'string' as const }])),
      },
    }));
  } catch (error) {
    usage((error as Error).message, numbers);
  }
  const backend = values.backend as BackendName;
  if (!BACKENDS.includes(backend)) usage(`Unknown backend '${String(values.backend)}'.`, numbers);
  const options = { ...numbers };
  for (const name of Object.keys(numbers) as K[]) {
    const raw = values[name] as string | undefined;
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) usage(`--${name} must be a number ≥ 0 (got ${String(raw)})`, numbers);
    options[name] = value;
  }
  const { createPool } = await load(backend);
  return { backend, createPool, options, insights: values.insights === true };
}

/** Prints one result as `label: <json>`. */
export function report(label: string, value: unknown): void {
  console.log(`${label}: ${JSON.stringify(value)}`);
}

/** A 32-bit rolling hash of numbers: equal lists give equal checksums, and order matters. */
export function checksum(values: Iterable<number>): number {
  let hash = 17;
  for (const value of values) hash = (Math.imul(hash, 31) + Math.round(value * 1000)) | 0;
  return hash;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same data on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integers in [low, high), like numpy's `randint`. */
export function randint(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low));
}
