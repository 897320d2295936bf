/**
 * Hosts announce themselves: one key per host, renewed on every heartbeat and
 * expiring on its own when the host is gone (no clocks compared across
 * machines), plus a set of host ids to find the keys.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

/** What a `parapool-worker` host tells about itself. */
export interface HostInfo {
  /** Unique per host process. */
  readonly id: string;
  /** The machine's hostname. */
  readonly host: string;
  /** The host process's id on its machine. */
  readonly pid: number;
  /** Chunks it runs at once (`--concurrency`). */
  readonly concurrency: number;
  /** The local backend chunks run on (`--backend`). */
  readonly backend: string;
  /** The host's runtime version (`process.version`). */
  readonly node: string;
  /** Whether it runs inline functions (`--allow-inline`). */
  readonly allowInline: boolean;
  /** When it started (its own clock, ms since the epoch). */
  readonly started: number;
  /** When it last renewed this announcement (its own clock). */
  readonly heartbeat: number;
  /** The announcement expires this long (ms) after its last renewal: a host silent this long is lost. */
  readonly ttl: number;
}

/** What a stopping host leaves in its announcement's place, so callers tell a host that left from one lost. */
const LEFT = 'left';
/** How long that mark stays (ms): callers read the hosts every second or so. */
const LEFT_TTL = 60_000;

/** Writes (or renews) a host's announcement; it expires after `ttl` ms unless renewed. */
export async function announce(client: Redis, keys: Keys, info: HostInfo, ttl: number): Promise<void> {
  await client.multi().set(keys.host(info.id), JSON.stringify(info), 'PX', ttl).sadd(keys.hosts(), info.id).exec();
}

/** Removes a host's announcement (a host that stops), leaving a mark that it left on purpose. */
export async function withdraw(client: Redis, keys: Keys, id: string): Promise<void> {
  await client.multi().set(keys.host(id), LEFT, 'PX', LEFT_TTL).srem(keys.hosts(), id).exec();
}

/** Of hosts no longer announced, those that went silent (not withdrawn): their announcement expired. */
export async function lostHosts(client: Redis, keys: Keys, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => keys.host(id)));
  return ids.filter((_, i) => values[i] === null);
}

/** The hosts whose announcement is alive; forgets the ids of expired ones. */
export async function liveHosts(client: Redis, keys: Keys): Promise<HostInfo[]> {
  const ids = await client.smembers(keys.hosts());
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => keys.host(id)));
  const live: HostInfo[] = [];
  const gone: string[] = [];
  values.forEach((value, i) => {
    if (value === null || value === LEFT) gone.push(ids[i] as string);
    else {
      try {
        live.push(JSON.parse(value) as HostInfo);
      } catch {
        gone.push(ids[i] as string);
      }
    }
  });
  if (gone.length > 0) await client.srem(keys.hosts(), ...gone);
  return live;
}
