/**
 * Hosts on a network of their own: a Linux network namespace per host, joined to this
 * machine by a veth pair with addresses of the test's own (a /30 in 10.0.0.0/8 no interface
 * here uses), with `tc netem` latency, and a link that can be cut and restored. Names and
 * addresses are unique per test run (other runs may be in flight on this machine); the
 * namespaces (and with them the veth pairs) are removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why this machine cannot make network namespaces, or undefined if it can (it tries one). */
export function cannotMakeNamespaces(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux's (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'making network namespaces needs root (CI runs the tests as root)';
  const probe = `pp-probe-${randomBytes(4).toString('hex')}`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
    run('tc', ['-V']);
    return undefined;
  } catch (error) {
    return `ip netns / tc failed here: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`;
  }
}

export interface NetnsHostLink {
  /** The namespace's name (`ip netns exec <name> ...`). */
  readonly name: string;
  /** This machine's end of the link: what the host reaches Redis at. */
  readonly gateway: string;
  /** The host's own address. */
  readonly address: string;
  /** Cuts the link (both ways: the veth pair goes down). */
  cut(): void;
  /** Restores it. */
  restore(): void;
  /** `command` run inside the namespace (for spawn). */
  command(command: string, args: readonly string[]): [string, string[]];
}

/** A free 10.a.b.0/24 block: no address of this machine is in it. */
function freeBlock(): string {
  const used = run('ip', ['-o', '-4', 'addr', 'show']);
  for (;;) {
    const block = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!used.includes(` ${block}.`)) return block;
  }
}

/** Whether this kernel has netem (some VM kernels are built without it). */
export function hasNetem(): boolean {
  try {
    run('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms']);
    run('tc', ['qdisc', 'del', 'dev', 'lo', 'root']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `count` namespaces with a link each, with `delayMs` of netem latency each way
 * when `netem` (else none: see `delayingRelay`).
 */
export function makeNetwork(
  count: number,
  delayMs: number,
  netem: boolean,
): { links: NetnsHostLink[]; remove(): void } {
  const tag = randomBytes(3).toString('hex');
  const block = freeBlock();
  const links: NetnsHostLink[] = [];
  const remove = () => {
    for (const link of links) {
      try {
        run('ip', ['netns', 'del', link.name]);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (let i = 0; i < count; i++) {
      const name = `pp-${tag}-h${i}`;
      // Interface names hold at most 15 characters.
      const outside = `pp${tag}o${i}`;
      const inside = `pp${tag}i${i}`;
      const gateway = `${block}.${4 * i + 1}`;
      const address = `${block}.${4 * i + 2}`;
      run('ip', ['netns', 'add', name]);
      const link: NetnsHostLink = {
        name,
        gateway,
        address,
        cut: () => run('ip', ['link', 'set', outside, 'down']),
        restore: () => run('ip', ['link', 'set', outside, 'up']),
        command: (command, args) => ['ip', ['netns', 'exec', name, command, ...args]],
      };
      links.push(link);
      run('ip', ['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
      run('ip', ['link', 'set', inside, 'netns', name]);
      run('ip', ['addr', 'add', `${gateway}/30`, 'dev', outside]);
      run('ip', ['link', 'set', outside, 'up']);
      const inNs = (args: string[]) => run('ip', ['netns', 'exec', name, ...args]);
      inNs(['ip', 'addr', 'add', `${address}/30`, 'dev', inside]);
      inNs(['ip', 'link', 'set', inside, 'up']);
      inNs(['ip', 'link', 'set', 'lo', 'up']);
      if (netem && delayMs > 0) {
        run('tc', ['qdisc', 'add', 'dev', outside, 'root', 'netem', 'delay', `${delayMs}ms`]);
        inNs(['tc', 'qdisc', 'add', 'dev', inside, 'root', 'netem', 'delay', `${delayMs}ms`]);
      }
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { links, remove };
}

/**
 * Where the kernel has no netem: a TCP relay on `host`:`port` to `target` that holds every
 * chunk of bytes `delayMs` before passing it on, both ways, in order (the latency netem would add).
 */
export async function delayingRelay(
  host: string,
  targetPort: number,
  delayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const pass = (from: Socket, to: Socket) => {
    from.on('data', (data) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(data);
      }, delayMs);
    });
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => {});
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    pass(client, upstream);
    pass(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
