/**
 * @parapool/bullmq as users get it: installed alone with npm from the tarballs this run packed,
 * a caller works with nothing else; a host needs the local backend it runs chunks on, installed
 * beside it as the README says, and without it exits 1 naming the package; with it, a real
 * redis-server and the installed parapool-worker serve a map.
 *
 * Then as a user of the published packages (the release rehearsal's registry, test/release.ts):
 * `npm install @parapool/bullmq` alone, its parapool-worker on the core's inline backend; npm
 * refusing an adapter of another release beside it (each adapter is an optional peer); and
 * `pnpm add @parapool/bullmq @parapool/poolifier`, a host with `--backend poolifier`.
 * (Its published tarball's publint, attw and files: test/pack.test.ts, with every package's.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@parapool/conformance';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run, userEnv } from './run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const npmCache = join(tmpdir(), 'parapool-pack-test-npm-cache');
const npmArgs = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--cache=${npmCache}`];
const tarball = (name: string) => join(inject('checkout'), 'packed', `parapool-${name}.tgz`);

let project: string;
const children: ChildProcess[] = [];

/** Starts `command` and resolves once its output matches `ready` (rejects if it exits first). */
function started(command: string, args: string[], ready: RegExp, cwd = project): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const look = (data: Buffer) => {
      output += data.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
  });
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'parapool-bullmq-alone-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'tasks.js'),
    "import { defineTasks } from '@parapool/bullmq';\nexport const tasks = defineTasks(import.meta.url, { square: (x) => x * x, pid: () => process.pid });\n",
  );
  await run('npm', ['install', ...npmArgs, tarball('core'), tarball('bullmq')], project);
}, 300_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('@parapool/bullmq installed alone with npm', () => {
  it('holds only @parapool/core and @parapool/bullmq from the workspace', () => {
    expect(readdirSync(join(project, 'node_modules', '@parapool')).sort()).toEqual(['bullmq', 'core']);
  });

  it('a caller loads it and makes a pool with nothing else installed', async () => {
    const check = [
      "import { createPool } from '@parapool/bullmq';",
      "const pool = createPool({ connection: 'redis://127.0.0.1:1', queue: 'q', redisTimeout: 1000 });",
      'console.log(JSON.stringify({ backend: pool.backend }));',
      'await pool.terminate();',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', check], project);
    expect(JSON.parse(stdout)).toEqual({ backend: 'bullmq' });
  });

  it('a host without its local backend exits 1 saying what to install', async () => {
    const error = await run(
      join(project, 'node_modules', '.bin', 'parapool-worker'),
      ['--redis', 'redis://127.0.0.1:1', '--queue', 'q'],
      project,
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /--backend piscina needs the package @parapool\/piscina: .*npm install @parapool\/piscina/,
    );
  });

  it('with @parapool/piscina installed beside it, the installed parapool-worker serves a map', async () => {
    await run('npm', ['install', ...npmArgs, tarball('piscina')], project);
    const port = await freePort();
    await started(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', project],
      /Ready to accept/,
    );
    const url = `redis://127.0.0.1:${port}`;
    const worker = join(project, 'node_modules', '.bin', 'parapool-worker');
    await started(worker, ['--redis', url, '--queue', 'q', '--concurrency', '1'], /: serving /);
    const caller = [
      "import { createPool } from '@parapool/bullmq';",
      "import { tasks } from './tasks.js';",
      `const pool = createPool({ connection: '${url}', queue: 'q' });`,
      'console.log(JSON.stringify(await pool.map(tasks.square, [1, 2, 3])));',
      'await pool.close();',
    ].join('\n');
    writeFileSync(join(project, 'caller.js'), caller);
    const { stdout } = await run(process.execPath, ['caller.js'], project);
    expect(JSON.parse(stdout)).toEqual([1, 4, 9]);
  });
});

/** A redis-server of the test's own, on a free port in `dir`; its URL. */
async function redis(dir: string): Promise<string> {
  const port = await freePort();
  await started(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
    /Ready to accept/,
    dir,
  );
  return `redis://127.0.0.1:${port}`;
}

/** Runs a caller in `dir`: a map of `square` over 1..6 on the queue, through the installed @parapool/bullmq. */
async function callerMap(dir: string, url: string, queue: string): Promise<number[]> {
  writeFileSync(
    join(dir, 'tasks.js'),
    "import { defineTasks } from '@parapool/bullmq';\nexport const tasks = defineTasks(import.meta.url, { square: (x) => x * x });\n",
  );
  const caller = [
    "import { createPool } from '@parapool/bullmq';",
    "import { tasks } from './tasks.js';",
    `const pool = createPool({ connection: '${url}', queue: '${queue}' });`,
    'console.log(JSON.stringify(await pool.map(tasks.square, [1, 2, 3, 4, 5, 6])));',
    'await pool.close();',
  ].join('\n');
  writeFileSync(join(dir, 'caller.js'), caller);
  const { stdout } = await run(process.execPath, ['caller.js'], dir);
  return JSON.parse(stdout) as number[];
}

describe('@parapool/bullmq installed from the registry, as a published user', () => {
  const caches = join(tmpdir(), 'parapool-pack-test-caches');
  const dirs: string[] = [];
  const env = (dir: string) =>
    userEnv(repo, {
      npm_config_userconfig: inject('rehearsal').userconfig,
      npm_config_cache: join(caches, 'npm'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      XDG_DATA_HOME: join(caches, 'pnpm-data'),
      XDG_CACHE_HOME: join(dir, '.cache'),
    });
  const fresh = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `parapool-${name}-`));
    dirs.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("npm install @parapool/bullmq alone: its parapool-worker serves a map on the core's inline backend", async () => {
    const dir = fresh('bullmq-published-npm');
    await run('npm', ['install', '@parapool/bullmq', '--loglevel=error'], dir, env(dir));
    expect(readdirSync(join(dir, 'node_modules', '@parapool')).sort()).toEqual(['bullmq', 'core']);
    const url = await redis(dir);
    const worker = join(dir, 'node_modules', '.bin', 'parapool-worker');
    await started(worker, ['--redis', url, '--queue', 'alone', '--backend', 'inline'], /: serving .* × inline\b/, dir);
    expect(await callerMap(dir, url, 'alone')).toEqual([1, 4, 9, 16, 25, 36]);
  }, 300_000);

  it('npm refuses an adapter of another release beside it (each adapter is a peer, its range this release)', async () => {
    const { first, second } = inject('rehearsal');
    const dir = fresh('bullmq-published-peer-range');
    const error = await run(
      'npm',
      ['install', `@parapool/bullmq@${second}`, `@parapool/poolifier@${first}`, '--loglevel=error'],
      dir,
      env(dir),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/ERESOLVE/);
    expect(error?.message).toContain(`peerOptional @parapool/poolifier@"^${second}" from @parapool/bullmq@${second}`);
  }, 300_000);

  it('pnpm add @parapool/bullmq @parapool/poolifier: a host with --backend poolifier serves a map', async () => {
    const dir = fresh('bullmq-published-pnpm');
    await run('pnpm', ['add', '@parapool/bullmq', '@parapool/poolifier'], dir, env(dir));
    const manifest = JSON.parse(
      readFileSync(join(dir, 'node_modules', '@parapool', 'bullmq', 'package.json'), 'utf8'),
    ) as {
      peerDependencies: Record<string, string>;
    };
    expect(manifest.peerDependencies['@parapool/poolifier']).toBe(`^${inject('rehearsal').second}`);
    const url = await redis(dir);
    const worker = join(dir, 'node_modules', '.bin', 'parapool-worker');
    await started(
      worker,
      ['--redis', url, '--queue', 'peers', '--backend', 'poolifier'],
      /: serving .* × poolifier\b/,
      dir,
    );
    expect(await callerMap(dir, url, 'peers')).toEqual([1, 4, 9, 16, 25, 36]);
  }, 300_000);
});
