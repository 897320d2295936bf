import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The environment of a fresh shell: no colours, nothing of the vitest run the
 * test is part of (a vitest started from a test would take it for its own).
 */
const env = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }).filter(([key]) => !key.startsWith('VITEST')),
);

/** Runs a program to its end; on failure, the error shows its whole output. */
export async function run(
  file: string,
  args: string[],
  cwd: string,
  environment: NodeJS.ProcessEnv = env,
  timeout = 240_000,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(file, args, { cwd, env: environment, timeout, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

/**
 * The environment of a user's terminal outside this repository: the above,
 * minus what pnpm, npm and turbo set for the scripts they run, and minus this
 * repository's `node_modules/.bin` folders on PATH (so `npx tsc` finds the
 * project's own tsc, not the workspace's).
 */
export function userEnv(repo: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.entries(env).filter(([key]) => !/^(npm_|pnpm_|turbo_)|^INIT_CWD$/i.test(key));
  const path = (process.env.PATH ?? '')
    .split(':')
    // Only the .bin folders: the Node running this test may come from the repository's .runtimes/.
    .filter((dir) => dir !== '' && !(dir.startsWith(repo) && /[\\/]node_modules[\\/]\.bin$/.test(dir)))
    .join(':');
  return { ...Object.fromEntries(kept), PATH: path, ...extra };
}
