import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * Number of CPUs this process may use, Python's `os.process_cpu_count()`:
 * `os.availableParallelism()` (which follows the CPU affinity mask, as
 * `taskset` and a cgroup's `cpuset` set it), lowered to the container's CPU
 * quota where a cgroup sets one (v2 `cpu.max`, v1 `cpu.cfs_quota_us` /
 * `cpu.cfs_period_us`), rounded up: 1.5 CPUs of quota count as 2. Never below 1.
 *
 * @example
 * ```ts
 * await using pool = createPool({ processes: cpuCount() }); // the default too
 * ```
 */
export function cpuCount(): number {
  return cpusAllowed(availableParallelism(), process.platform === 'linux' ? cgroupCpuLimit() : undefined);
}

/** The CPUs a quota of `limit` CPUs (fractional) leaves of `available`: rounded up, at least 1. */
export function cpusAllowed(available: number, limit: number | undefined): number {
  const cpus = limit === undefined ? available : Math.min(available, Math.ceil(limit));
  return Math.max(1, cpus);
}

/**
 * The CPU time this process's cgroups allow, in CPUs (`1.5` for a quota of
 * 150 ms per 100 ms period): the smallest quota on the way from its cgroup up
 * to the hierarchy's root, v1 and v2 alike. Undefined when no cgroup limits it
 * (or the files cannot be read: not Linux, no cgroup filesystem mounted).
 * `root` is where `/proc` and `/sys` are read from (a test's made-up tree).
 */
export function cgroupCpuLimit(root = '/'): number | undefined {
  let memberships: string;
  let mounts: string;
  try {
    memberships = readFileSync(join(root, 'proc/self/cgroup'), 'utf8');
    mounts = readFileSync(join(root, 'proc/self/mountinfo'), 'utf8');
  } catch {
    return undefined;
  }
  let limit: number | undefined;
  for (const mount of cgroupMounts(mounts)) {
    const path = memberPath(memberships, mount.version);
    if (path === undefined) continue;
    for (const dir of upToMount(mount, path)) {
      const cpus = mount.version === 1 ? readV1Quota(join(root, dir)) : readV2Max(join(root, dir));
      if (cpus !== undefined && (limit === undefined || cpus < limit)) limit = cpus;
    }
  }
  return limit;
}

interface CgroupMount {
  /** 1 for the v1 hierarchy with the `cpu` controller, 2 for the unified one. */
  readonly version: 1 | 2;
  /** The cgroup this mount shows at its mount point (`/` unless a container bind-mounted a sub-tree). */
  readonly root: string;
  readonly point: string;
}

/** The cgroup mounts that can hold a CPU quota, from `/proc/self/mountinfo`. */
function cgroupMounts(mountinfo: string): CgroupMount[] {
  const found: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // `36 35 0:30 <root> <mount point> <options> [optional fields] - <type> <source> <super options>`
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6) continue;
    const type = fields[dash + 1];
    const superOptions = (fields[dash + 3] ?? '').split(',');
    const version = type === 'cgroup2' ? 2 : type === 'cgroup' && superOptions.includes('cpu') ? 1 : undefined;
    if (version === undefined) continue;
    found.push({ version, root: unescapeMount(fields[3] ?? '/'), point: unescapeMount(fields[4] ?? '/') });
  }
  return found;
}

/** mountinfo writes spaces, tabs, newlines and backslashes in paths as octal escapes (`\040`). */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** This process's cgroup in a hierarchy, from `/proc/self/cgroup` (`4:cpu,cpuacct:/docker/ab12`, `0::/user.slice`). */
function memberPath(memberships: string, version: 1 | 2): string | undefined {
  for (const line of memberships.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (version === 2 ? line.slice(0, first) === '0' && controllers === '' : controllers.split(',').includes('cpu')) {
      return path;
    }
  }
  return undefined;
}

/** The directories from this process's cgroup up to the mount point, each of which may set a quota. */
function upToMount(mount: CgroupMount, path: string): string[] {
  let relative: string;
  if (mount.root === '/') relative = path;
  else if (path === mount.root || path.startsWith(`${mount.root}/`)) relative = path.slice(mount.root.length);
  else relative = '/'; // a cgroup namespace shows paths the mount cannot place: only the mount point's own limit is known
  const parts = relative.split('/').filter((part) => part !== '' && part !== '..');
  const dirs: string[] = [];
  for (let depth = parts.length; depth >= 0; depth--) dirs.push(join(mount.point, ...parts.slice(0, depth)));
  return dirs;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** v2 `cpu.max`: `max 100000` (no limit) or `<quota> <period>` in microseconds. */
function readV2Max(dir: string): number | undefined {
  const [quota, period] = (readText(join(dir, 'cpu.max')) ?? '').split(/\s+/);
  return ratio(quota, period);
}

/** v1 `cpu.cfs_quota_us` (`-1`: no limit) over `cpu.cfs_period_us`. */
function readV1Quota(dir: string): number | undefined {
  return ratio(readText(join(dir, 'cpu.cfs_quota_us')), readText(join(dir, 'cpu.cfs_period_us')));
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return q / p;
}
