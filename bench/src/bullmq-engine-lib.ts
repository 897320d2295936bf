/**
 * BullMQ as @parapool/bullmq installs it (the bench does not depend on bullmq itself, so it measures
 * the very version parapool runs on), typed by the little the engine bench uses of it.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface RawQueue {
  addBulk(jobs: Array<{ name: string; data: unknown; opts?: object }>): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}
export interface RawWorker {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}
export interface Bullmq {
  Queue: new (name: string, options: object) => RawQueue;
  Worker: new (name: string, processor: () => Promise<unknown>, options: object) => RawWorker;
}

export async function bullmqModule(): Promise<Bullmq> {
  const fromAdapter = createRequire(import.meta.resolve('@parapool/bullmq'));
  return (await import(pathToFileURL(fromAdapter.resolve('bullmq')).href)) as Bullmq;
}
