/**
 * A real npm registry for the release rehearsal: Verdaccio, started by the
 * test on 127.0.0.1 on a free port, its config, storage and password file in a
 * folder of its own, stopped (SIGTERM) afterwards. It serves `@parapool/*`
 * only, with no uplink: what is there is what the rehearsal published.
 *
 * Publishing needs a user: `addUser` registers one through the registry's own
 * API (what `npm adduser` does) and returns the token Verdaccio issued for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from '@parapool/conformance';

export interface Registry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Registers a user; returns the auth token to publish with. */
  addUser(name: string, password: string): Promise<string>;
  /** A package's document (the packument), as npm reads it. */
  packument(name: string): Promise<Packument>;
  /** Stops the server; resolves once it has exited. */
  stop(): Promise<void>;
}

/** The fields of a packument this test reads. */
export interface Packument {
  readonly 'dist-tags': Record<string, string>;
  readonly versions: Record<
    string,
    {
      readonly version: string;
      readonly dependencies?: Record<string, string>;
      readonly peerDependencies?: Record<string, string>;
      readonly dist: { readonly tarball: string };
    }
  >;
}

/** Verdaccio's command (its package exports no path to it: found beside its main module). */
const verdaccio = join(dirname(createRequire(import.meta.url).resolve('verdaccio')), '..', 'bin', 'verdaccio');

function config(dir: string): string {
  return `# written by apps/pack-test for one test run
storage: ${JSON.stringify(join(dir, 'storage'))}
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
uplinks: {}
packages:
  '@parapool/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
web:
  enable: false
log: { type: stdout, format: pretty, level: warn }
`;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('-/ping', url));
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts Verdaccio in `dir` (created if missing); resolves once it answers. */
export async function startRegistry(dir: string): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(dir));
  // Another process may take the port between freePort() and the listen: try a few.
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child: ChildProcess = spawn(
      process.execPath,
      [verdaccio, '--config', file, '--listen', `127.0.0.1:${port}`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Generous: Verdaccio loads a few hundred modules, on cores other tests keep busy.
    const deadline = Date.now() + 120_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline && !(await answers(url))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (child.exitCode === null && child.signalCode === null && (await answers(url))) {
      return {
        url,
        async addUser(name, password) {
          const response = await fetch(new URL(`-/user/org.couchdb.user:${encodeURIComponent(name)}`, url), {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name, password }),
          });
          const body = (await response.json()) as { token?: string; error?: string };
          if (!response.ok || !body.token) {
            throw new Error(`the registry refused user ${name} (${response.status}): ${JSON.stringify(body)}`);
          }
          return body.token;
        },
        async packument(name) {
          const response = await fetch(new URL(name.replace('/', '%2f'), url));
          if (!response.ok)
            throw new Error(`GET ${name} from the registry: ${response.status} ${await response.text()}`);
          return (await response.json()) as Packument;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    lastOutput = output;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (!/EADDRINUSE/.test(output)) break;
  }
  throw new Error(`Verdaccio did not start (within 120 s):\n${lastOutput}`);
}
