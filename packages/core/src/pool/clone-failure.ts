import { CloneError, TaskTimeoutError } from '../errors.js';

/**
 * A TaskTimeoutError as its call names it: the item's index in the call
 * (`index`, where the worker knew only its index in its job) and the method.
 * Other errors pass through.
 */
export function nameTimedOutItem(error: Error, index: number, method: string): Error {
  if (error.name !== 'TaskTimeoutError') return error;
  const timedOut = error as TaskTimeoutError;
  const named = new TaskTimeoutError({ task: timedOut.task, index, timeout: timedOut.timeout, method });
  if (error.stack) named.stack = `${named.name}: ${named.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return named;
}

/**
 * A CloneError for a chunk that could not be sent, naming the first item that
 * cannot be cloned (found by trial clones, only on this failure path), e.g.
 * "map item 17: An argument could not be copied…". Other errors pass through.
 */
export function nameUncloneableItem(error: Error, items: ArrayLike<unknown>, offset: number, method: string): Error {
  // (a chunk its worker could not answer in time: named by the chunk's first item)
  if (error.name === 'TaskTimeoutError')
    return nameTimedOutItem(error, offset + (error as TaskTimeoutError).index, method);
  if (error.name !== 'CloneError' || !Array.isArray(items)) return error;
  for (let i = 0; i < items.length; i++) {
    try {
      structuredClone(items[i]);
    } catch {
      const named = new CloneError(`${method} item ${offset + i}: ${error.message}`);
      named.cause = error.cause ?? error;
      return named;
    }
  }
  return error;
}

/** A failed item's CloneError (its result could not be sent back), naming the item: "map item 17: …". */
export function nameFailedItem(error: Error, index: number, method: string): Error {
  if (error.name === 'TaskTimeoutError') return nameTimedOutItem(error, index, method);
  if (error.name !== 'CloneError' || error.message.startsWith(`${method} item `)) return error;
  const named = new CloneError(`${method} item ${index}: ${error.message}`);
  named.cause = error.cause ?? error;
  if (error.stack) named.stack = `${named.name}: ${named.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return named;
}
