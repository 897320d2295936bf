import { CloneError } from '../errors.js';
import { holdsDetachedBuffer } from './transfer.js';
import { Decoder, encodeThrown, type SerializedError } from './value-codec.js';

export type { SerializedError } from './value-codec.js';

/**
 * Turns anything a task threw into plain, cloneable data. An error keeps its
 * name, message, stack, class (built-in or registered), `cause` chain,
 * `AggregateError.errors` and every own property; what cannot be cloned is
 * replaced by a marker string. Never throws.
 */
export function serializeError(thrown: unknown): SerializedError {
  return encodeThrown(thrown);
}

/**
 * Rebuilds an `Error` on the caller's side from its serialized form: an
 * instance of its built-in, parapool or registered class, with its own
 * properties and the worker's stack. The class's constructor is not run.
 */
export function deserializeError(data: SerializedError): Error {
  return new Decoder().error(data);
}

/** True for the DOM/V8 error raised when structured clone meets a function, symbol, etc. */
export function isDataCloneError(error: unknown): boolean {
  if (error instanceof CloneError || (error as Error | undefined)?.name === 'CloneError') return false;
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as Error).name === 'DataCloneError' ||
      /could not be cloned|DataCloneError|#<.*> could not be cloned/.test(String((error as Error).message)))
  );
}

/** Wraps a structured-clone failure into a CloneError that says what to do. */
export function toCloneError(
  error: unknown,
  what: 'argument' | 'result' | 'argument or result',
  sent?: unknown,
): CloneError {
  let reason = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
  // Bun's structured clone says only "The object can not be cloned" of a buffer moved away already.
  if (sent !== undefined && !/detached/i.test(reason) && holdsDetachedBuffer(sent)) {
    reason +=
      ' (an ArrayBuffer in it is detached: it was moved to another thread already, and a buffer moves once: pass a fresh copy)';
  }
  const wrapped = new CloneError(
    `${what === 'result' ? 'A' : 'An'} ${what} could not be copied between threads/processes: ${reason}. Only structured-cloneable data can cross (no functions, symbols, sockets or shared memory between processes); send plain data, and register the classes whose instances must arrive as instances (defineTasks(url, tasks, { classes: { MyClass } })).`,
  );
  wrapped.cause = error;
  return wrapped;
}
