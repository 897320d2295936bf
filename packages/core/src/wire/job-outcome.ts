import { deserializeError, isDataCloneError, toCloneError } from './error-transport.js';
import type { JobResult } from './job.js';

/** The first failed item of a job result, as an Error, or undefined if none failed. */
export function firstFailure(result: JobResult): { index: number; error: Error } | undefined {
  const failure = result.failures?.[0];
  if (!failure) return undefined;
  let first = failure;
  for (const f of result.failures ?? []) if (f.index < first.index) first = f;
  return { index: first.index, error: deserializeError(first.error) };
}

/** The error a whole job failed with, as the caller should see it. */
export function jobError(error: unknown): Error {
  if ((error as Error | undefined)?.name === 'CloneError') return error as Error;
  if (isDataCloneError(error)) return toCloneError(error, 'argument or result');
  if (error instanceof Error) return error;
  if (error !== null && typeof error === 'object' && 'name' in error && 'message' in error) {
    return deserializeError(error as { name: string; message: string; stack?: string });
  }
  return new Error(String(error));
}
