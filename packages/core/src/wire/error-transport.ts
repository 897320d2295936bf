import * as parapoolErrors from '../errors.js';
import { CloneError } from '../errors.js';

/** An error as plain, cloneable data, the way it crosses from a worker to the caller. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable properties with cloneable primitive values (`code`, `errno`, ...). */
  props?: Record<string, string | number | boolean | null>;
  /** Set when the task threw something that was not an Error. */
  thrownType?: string;
}

/** Turns anything a task threw into plain data that keeps name, message and stack. */
export function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown)) {
    const error = thrown as Error;
    const out: SerializedError = {
      name: typeof error.name === 'string' ? error.name : 'Error',
      message: String(error.message),
    };
    if (typeof error.stack === 'string') out.stack = error.stack;
    const props: Record<string, string | number | boolean | null> = {};
    let any = false;
    for (const key of Object.keys(error)) {
      const value = (error as unknown as Record<string, unknown>)[key];
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
        props[key] = value as string | number | boolean | null;
        any = true;
      }
    }
    if (any) out.props = props;
    return out;
  }
  const type = thrown === null ? 'null' : typeof thrown;
  const message =
    typeof thrown === 'string'
      ? thrown
      : `Task threw ${type === 'undefined' ? 'undefined' : `a non-Error value (${safeString(thrown)})`}; throw an Error to keep a message and stack`;
  return { name: 'Error', message, thrownType: type };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

const builtins: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an `Error` on the caller's side from its serialized form. */
export function deserializeError(data: SerializedError): Error {
  // Built-in and parapool classes come back as themselves (instanceof works);
  // the constructor is not run, only the prototype is used.
  const Ctor =
    builtins[data.name] ??
    ((parapoolErrors as Record<string, unknown>)[data.name] as ErrorConstructor | undefined) ??
    Error;
  const error = Reflect.construct(Error, [data.message], Ctor) as Error;
  if (error.name !== data.name) {
    Object.defineProperty(error, 'name', { value: data.name, configurable: true, writable: true, enumerable: false });
  }
  if (data.props) Object.assign(error, data.props);
  // The worker's stack says where the task failed; that is the useful one.
  if (data.stack) error.stack = data.stack;
  else error.stack = `${data.name}: ${data.message}\n    at <worker>`;
  return error;
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
export function toCloneError(error: unknown, what: 'argument' | 'result' | 'argument or result'): CloneError {
  const reason = error instanceof Error ? error.message : String(error);
  const wrapped = new CloneError(
    `${what === 'result' ? 'A' : 'An'} ${what} could not be copied between threads/processes: ${reason}. Only structured-cloneable data can cross (no functions, symbols, sockets or class behaviour); send plain data and rebuild objects in the task.`,
  );
  wrapped.cause = error;
  return wrapped;
}
