/**
 * @parapool/bullmq as users get it: installed alone with npm from the tarballs this run packed,
 * a caller works with nothing else; a host needs the local backend it runs chunks on, installed
 * beside it as the README says, and without it exits 1 naming the package; with it, a real
 * redis-server and the installed parapool-worker serve a map.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from './run.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(here, 'node_modules', '.bin', name);
const npmCache = join(tmpdir(), 'parapool-pack-test-npm-cache');
const npmArgs = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `--cache=${npmCache}`];
const tarball = (name: string) => join(inject('checkout'), 'packed', `parapool-${name}.tgz`);

let project: string;
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts `command` and resolves once its output matches `ready` (rejects if it exits first). */
function started(command: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
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
  it('passes publint --strict and attw (ESM-only profile)', async () => {
    const { stdout } = await run(bin('publint'), ['run', tarball('bullmq'), '--strict'], here);
    expect(stdout).toContain('All good!');
    await run(bin('attw'), [tarball('bullmq'), '--profile', 'esm-only', '--format', 'ascii'], here);
  });

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
