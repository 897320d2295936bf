/**
 * One bare worker (a thread or a forked process) seen as a queue of calls: it
 * answers its messages in order, so each answer settles the oldest call.
 */
import type { EventEmitter } from 'node:events';

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Calls to one worker, answered in order. */
export class Channel {
  readonly #waiting: Waiting[] = [];
  readonly #send: (message: unknown, transfer?: readonly ArrayBuffer[]) => void;
  #failure: Error | undefined;

  /** `worker` emits 'message' per answer and 'error'/'exit' when it fails or stops. */
  constructor(worker: EventEmitter, send: (message: unknown, transfer?: readonly ArrayBuffer[]) => void) {
    this.#send = send;
    worker.on('message', (reply: unknown) => this.#waiting.shift()?.resolve(reply));
    worker.on('error', (error: Error) => this.#fail(error));
    worker.on('exit', (code: number | null) => this.#fail(new Error(`the limit's worker exited (code ${code})`)));
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.#waiting.length;
  }

  /** Sends one message; resolves with its answer. */
  call<R>(message: unknown, transfer?: readonly ArrayBuffer[]): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ resolve: resolve as (value: unknown) => void, reject });
      this.#send(message, transfer);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
  }
}

/**
 * Runs `count` calls over `channels`, each channel kept `depth` calls deep so
 * a worker never waits for its next message: `make(i)` builds call i when a
 * channel has room (so packing overlaps with work), `take(i, reply)` receives
 * its answer.
 */
export async function spread<R>(
  channels: readonly Channel[],
  count: number,
  make: (i: number) => { message: unknown; transfer?: readonly ArrayBuffer[] },
  take: (i: number, reply: R) => void,
  depth = 2,
): Promise<void> {
  let next = 0;
  const feed = async (channel: Channel) => {
    while (next < count) {
      const i = next++;
      const { message, transfer } = make(i);
      take(i, await channel.call<R>(message, transfer));
    }
  };
  await Promise.all(channels.flatMap((channel) => Array.from({ length: depth }, () => feed(channel))));
}
