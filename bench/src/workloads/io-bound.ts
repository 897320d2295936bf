import { fork } from 'node:child_process';
import { once } from 'node:events';
import { tasks } from '../tasks.js';
import { compareNumbers, digest } from '../verify.js';
import { fetchValue, serverValue } from '../work.js';
import { caseMaker, type Workload } from '../workload.js';

/** Starts the local test server (io-server.js) and resolves with its port and a stop function. */
async function startServer(delayMs: number): Promise<{ port: number; stop(): Promise<void> }> {
  const child = fork(new URL('../io-server.js', import.meta.url), [String(delayMs)], { stdio: 'inherit' });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error('The io-bound test server exited before it listened');
    }),
  ])) as [{ port: number }];
  return {
    port: message.port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}

/** Seed 000: "fetch 10,000 websites in batches of 100", against a local server (fewer here: the ratio is the same). */
export const ioBoundWorkload: Workload = {
  name: 'io-bound',
  title: 'io-bound',
  description:
    'GET requests to a local HTTP server (127.0.0.1, random port, own process) that answers each after a fixed delay; an async task, in chunks of 100 whose requests run concurrently. The sequential reference is the main thread alone, awaiting one batch of 100 at a time.',
  sharedPool: true,
  async prepare({ sizes }) {
    const server = await startServer(sizes.ioDelayMs);
    const urls = Array.from({ length: sizes.ioRequests }, (_, i) => `http://127.0.0.1:${server.port}/n/${i}`);
    const expected = urls.map((_, i) => serverValue(i));
    const same = (value: unknown) => compareNumbers(value, expected);
    const chunk = sizes.ioChunk;
    const make = caseMaker(urls.length, same);
    return {
      sequential: [
        make('loop', `batches of ${chunk}, main thread`, async () => {
          const out: number[] = [];
          for (let i = 0; i < urls.length; i += chunk) {
            out.push(...(await Promise.all(urls.slice(i, i + chunk).map(fetchValue))));
          }
          return out;
        }),
      ],
      forPool: ({ pool }) => [
        make('map', `map (chunksize ${chunk})`, () => pool!.map(tasks.fetchValue, urls, { chunksize: chunk })),
      ],
      forRaw: ({ pool }) => [
        make('per-chunk', `per chunk (chunksize ${chunk})`, () => pool!.map('fetchValue', urls, chunk)),
      ],
      python: {
        config: { port: server.port, requests: urls.length, chunk },
        expected: {
          loop: digest(expected),
          map: digest(expected),
        },
      },
      close: () => server.stop(),
    };
  },
};
