/**
 * A pool's connections do not keep a program alive: a script that forgets close() exits once its work is done.
 * And a caller's process says nothing it should not: no warning about its cores for a pool of hosts' slots.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { cpuCount } from '../dist/index.js';
import { type HostProcess, startHost } from './support/hosts.js';
import { removeRoot } from './support/roots.js';
import { CALLER_ROOT, faultRoot } from './support/tasks.js';

const redis = inject('redisUrl');
let host: HostProcess;
let root: string;

beforeAll(async () => {
  root = faultRoot('exit');
  host = await startHost({ redis, queue: 'forgets-close', root, concurrency: 1 });
});
afterAll(async () => {
  await host.stop();
  removeRoot(root);
});

it('a script that never closes its pool still exits, with its results printed', async () => {
  const script = join(CALLER_ROOT, 'test', 'fixtures', 'forgets-close.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [script, redis, 'forgets-close', CALLER_ROOT], {
    timeout: 30_000,
  });
  expect(stdout.trim()).toBe('squares: [1,2,3]');
});

it("a pool of many hosts' slots gives no warning about this machine's cores (the core's local pools do)", async () => {
  const script = join(CALLER_ROOT, 'test', 'fixtures', 'pool-size-warning.mjs');
  const processes = 8 * cpuCount() + 1;
  const { stdout } = await promisify(execFile)(process.execPath, [script, redis, String(processes)], {
    timeout: 30_000,
  });
  expect(JSON.parse(stdout.trim())).toEqual(['inline: PARAPOOL_OVERSIZED_POOL']);
});
