/**
 * A bare pool of `child_process.fork` children (advanced serialization, as the
 * child-process backend uses): the raw reference of that backend, which is
 * built on no pool library. Children start in parallel; a call goes to the
 * child with the fewest calls in flight.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';

const childFile = new URL('./fork-child.js', import.meta.url);

interface Child {
  readonly process: ChildProcess;
  readonly pending: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
}

/** A started fork pool. */
export interface ForkPool {
  call(name: string, arg: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Forks `size` children and resolves once they are spawned (not yet ready: messages queue until they are). */
export async function forkPool(size: number): Promise<ForkPool> {
  let nextId = 0;
  const children: Child[] = [];
  for (let i = 0; i < size; i++) {
    const child: Child = {
      process: fork(childFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      pending: new Map(),
    };
    child.process.on('message', (message: { id: number; value?: unknown; error?: string }) => {
      const waiting = child.pending.get(message.id);
      child.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.value);
    });
    child.process.on('exit', (code, signal) => {
      for (const waiting of child.pending.values()) {
        waiting.reject(new Error(`fork child exited (${signal ?? `code ${code}`})`));
      }
      child.pending.clear();
    });
    children.push(child);
  }
  await Promise.all(children.map((child) => once(child.process, 'spawn')));
  return {
    call(name, arg) {
      let child = children[0] as Child;
      for (const c of children) if (c.pending.size < child.pending.size) child = c;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        child.pending.set(id, { resolve, reject });
        child.process.send({ id, name, arg });
      });
    },
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.process.exitCode !== null || child.process.signalCode !== null) return;
          const exited = once(child.process, 'exit');
          child.process.kill();
          await exited;
        }),
      );
    },
  };
}
