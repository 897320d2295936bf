/**
 * cpuCount() honours the container's CPU limit: the parser against made-up
 * trees in the files' real formats, and a real cgroup with a one-CPU quota
 * holding a real process.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupCpuLimit, cpuCount, cpusAllowed } from '../src/cpu-count.js';

const trees = mkdtempSync(join(tmpdir(), 'parapool-cgroups-'));
afterAll(() => rmSync(trees, { recursive: true, force: true }));

let treeCount = 0;
/** A made-up root with `/proc/self/*` and cgroup files, as the kernel writes them. */
function tree(files: Record<string, string>): string {
  const root = join(trees, String(treeCount++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const V2_MOUNT =
  '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n';
const V1_MOUNTS = [
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct',
  '34 31 0:31 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpuset',
  '',
].join('\n');

describe('the cgroup CPU limit', () => {
  it('is none under cgroup v2 when cpu.max says max', () => {
    const root = tree({
      'proc/self/cgroup': '0::/user.slice/app.scope\n',
      'proc/self/mountinfo': V2_MOUNT,
      'sys/fs/cgroup/user.slice/app.scope/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/user.slice/cpu.max': 'max 100000\n',
    });
    expect(cgroupCpuLimit(root)).toBeUndefined();
  });

  it('is quota over period under cgroup v2 (150000 100000 is 1.5 CPUs)', () => {
    const root = tree({
      'proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      'proc/self/mountinfo': V2_MOUNT,
      'sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': '150000 100000\n',
    });
    expect(cgroupCpuLimit(root)).toBe(1.5);
  });

  it("is the smallest on the way up: a parent's quota binds a child that sets none", () => {
    const root = tree({
      'proc/self/cgroup': '0::/parent/child\n',
      'proc/self/mountinfo': V2_MOUNT,
      'sys/fs/cgroup/parent/child/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/parent/cpu.max': '50000 100000\n',
    });
    expect(cgroupCpuLimit(root)).toBe(0.5);
  });

  it('is none under cgroup v1 when cpu.cfs_quota_us is -1', () => {
    const root = tree({
      'proc/self/cgroup': '5:cpuset:/\n4:cpu,cpuacct:/docker/ab12\n1:name=systemd:/docker/ab12\n',
      'proc/self/mountinfo': V1_MOUNTS,
      'sys/fs/cgroup/cpu,cpuacct/docker/ab12/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/ab12/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuLimit(root)).toBeUndefined();
  });

  it('is cfs_quota_us over cfs_period_us under cgroup v1', () => {
    const root = tree({
      'proc/self/cgroup': '5:cpuset:/\n4:cpu,cpuacct:/docker/ab12\n',
      'proc/self/mountinfo': V1_MOUNTS,
      'sys/fs/cgroup/cpu,cpuacct/docker/ab12/cpu.cfs_quota_us': '250000\n',
      'sys/fs/cgroup/cpu,cpuacct/docker/ab12/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuLimit(root)).toBe(2.5);
  });

  it("reads a container's own cgroup where its mount shows a sub-tree at the mount point", () => {
    const root = tree({
      'proc/self/cgroup': '4:cpu,cpuacct:/docker/ab12\n',
      'proc/self/mountinfo':
        '900 800 0:29 /docker/ab12 /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:9 - cgroup cgroup rw,cpu,cpuacct\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '100000\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuLimit(root)).toBe(1);
  });

  it('is none where there is no cgroup filesystem', () => {
    expect(cgroupCpuLimit(tree({ 'proc/self/cgroup': '', 'proc/self/mountinfo': '' }))).toBeUndefined();
    expect(cgroupCpuLimit(join(trees, 'nothing-here'))).toBeUndefined();
  });
});

describe('the CPUs allowed', () => {
  it('are rounded up from a fractional quota and never exceed the CPUs available', () => {
    expect(cpusAllowed(8, 1.5)).toBe(2);
    expect(cpusAllowed(2, 16)).toBe(2);
    expect(cpusAllowed(4, undefined)).toBe(4);
  });

  it('are never below 1', () => {
    expect(cpusAllowed(4, 0.1)).toBe(1);
  });
});

// ---- a real cgroup --------------------------------------------------------

const CORE = new URL('../dist/index.js', import.meta.url).href;

/** Where this machine lets the test make a cgroup with a CPU quota, or why it cannot. */
function cgroupPlace(): { kind: 'v1' | 'v2'; parent: string } | { unable: string } {
  if (process.platform !== 'linux') return { unable: 'cgroups are Linux only' };
  if (process.getuid?.() !== 0) return { unable: 'making a cgroup needs root' };
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  for (const line of mounts) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    const point = fields[4];
    if (dash < 0 || !point) continue;
    const writable = (path: string): boolean => {
      try {
        accessSync(path, constants.W_OK);
        return (fields[5] ?? '').split(',').includes('rw');
      } catch {
        return false;
      }
    };
    if (fields[dash + 1] === 'cgroup' && (fields[dash + 3] ?? '').split(',').includes('cpu') && writable(point)) {
      return { kind: 'v1', parent: point };
    }
    if (fields[dash + 1] === 'cgroup2' && writable(point)) {
      const controllers = readFileSync(join(point, 'cgroup.controllers'), 'utf8');
      if (controllers.split(/\s+/).includes('cpu')) return { kind: 'v2', parent: point };
    }
  }
  return { unable: 'no writable cgroup hierarchy with the cpu controller is mounted' };
}

const place = cgroupPlace();
const unable = 'unable' in place ? place.unable : cpuCount() < 2 ? 'this process is allowed only one CPU' : undefined;

describe.skipIf(unable !== undefined)(`a real cgroup${unable ? ` (skipped: ${unable})` : ''}`, () => {
  it('with a one-CPU quota makes cpuCount() 1, and a default pool one worker, in a process moved into it', () => {
    if ('unable' in place) return;
    const group = join(place.parent, `parapool-test-${process.pid}-${Date.now()}`);
    mkdirSync(group);
    try {
      if (place.kind === 'v1') {
        writeFileSync(join(group, 'cpu.cfs_period_us'), '100000');
        writeFileSync(join(group, 'cpu.cfs_quota_us'), '100000');
      } else {
        writeFileSync(join(place.parent, 'cgroup.subtree_control'), '+cpu');
        writeFileSync(join(group, 'cpu.max'), '100000 100000');
      }
      // The shell moves itself into the cgroup, then becomes Node: the program starts inside it.
      const program = `const { cpuCount, createPool } = await import(${JSON.stringify(CORE)});
        const { availableParallelism } = await import('node:os');
        const pool = createPool();
        console.log(JSON.stringify({ available: availableParallelism(), cpus: cpuCount(), processes: pool.processes }));
        await pool.terminate();`;
      const child = spawnSync(
        'sh',
        [
          '-c',
          'echo $$ > "$1/cgroup.procs" && exec "$2" --input-type=module -e "$3"',
          'sh',
          group,
          process.execPath,
          program,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual({ available: availableParallelism(), cpus: 1, processes: 1 });
      // Outside it, the CPUs this test may use (2 or more).
      const outside = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(JSON.parse(outside.stdout)).toMatchObject({ cpus: cpuCount(), processes: cpuCount() });
    } finally {
      if (existsSync(group)) rmdirSync(group); // empty again: its process has exited
    }
  });
});
