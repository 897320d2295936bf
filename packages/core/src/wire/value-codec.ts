/**
 * What structured clone loses, carried as plain data: errors (class, `cause`
 * chain, `AggregateError.errors`, own properties of any kind) and instances of
 * registered classes. An encoded value is structured-cloneable; decoding it on
 * the other side rebuilds what was encoded.
 *
 * Two ways to encode:
 * - lenient, for what a task threw: never throws, and whatever cannot be
 *   cloned (a function, a symbol, a getter that throws, a cycle...) becomes a
 *   marker string that says so;
 * - strict, for arguments and results: only errors and registered instances
 *   are encoded; the rest is left to structured clone, which refuses what it
 *   cannot copy (the caller then gets a CloneError, as without classes).
 */
// node:util/types, not node:util: importing node:util as an ES module reads every export,
// which loads its lazy ones (parseArgs, MIMEType) in each worker that has not yet.
import * as types from 'node:util/types';
import * as parapoolErrors from '../errors.js';
import { type RegisteredClass, registeredAncestorOf, registeredClass, registeredNameOf } from './class-registry.js';

/** An error as plain, cloneable data, the way it crosses from a worker to the caller. */
export interface SerializedError {
  /** The error's `name` (its class's, e.g. `TypeError`). */
  name: string;
  /** The error's `message`. */
  message: string;
  /** The error's `stack` as the worker saw it. */
  stack?: string;
  /**
   * Own properties (`code`, `cause`, `errors`, `details`...), encoded: errors
   * and registered instances as markers, what cannot be cloned as a string
   * such as `'[uncloneable: function]'`.
   */
  props?: Record<string, unknown>;
  /** The own properties that were not enumerable (`cause`, `errors`...), restored as such. */
  hidden?: string[];
  /** The built-in class to rebuild ('TypeError', 'AggregateError', 'DOMException'...); absent for Error. */
  builtin?: string;
  /** The registered class of the error (see `defineTasks`' `classes`), rebuilt where the receiver knows it. */
  registered?: string;
  /** Set when the task threw something that was not an Error. */
  thrownType?: string;
}

/** The key of an encoded object (an error, a registered instance, or a plain object that has this key itself). */
export const MARK = '@parapool';

interface ErrorMark {
  [MARK]: 'error';
  error: SerializedError;
}
interface ClassMark {
  [MARK]: 'class';
  name: string;
  data: Record<string, unknown>;
}
interface ObjectMark {
  [MARK]: 'object';
  data: Record<string, unknown>;
}
type Mark = ErrorMark | ClassMark | ObjectMark;

type ErrorConstructorLike = new (...args: never[]) => Error;

const wasm = (
  globalThis as { WebAssembly?: Record<'CompileError' | 'LinkError' | 'RuntimeError', ErrorConstructorLike> }
).WebAssembly;

const BUILTIN_ERRORS: Readonly<Record<string, ErrorConstructorLike>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  DOMException: DOMException as unknown as ErrorConstructorLike,
  ...(wasm && { CompileError: wasm.CompileError, LinkError: wasm.LinkError, RuntimeError: wasm.RuntimeError }),
};
const BUILTIN_BY_PROTOTYPE = new Map<object, string>(
  Object.entries(BUILTIN_ERRORS).map(([name, ctor]) => [ctor.prototype, name]),
);

/** Depth beyond which a lenient encoding stops ('[truncated]'). */
const LENIENT_DEPTH = 48;
/** Nodes a lenient encoding visits at most: an error holding a socket must not copy the world. */
const LENIENT_NODES = 10_000;
/** Errors nested in errors (a `cause` chain) kept at most. */
const ERROR_DEPTH = 32;
/** Depth beyond which a strict encoding leaves values to structured clone (and decoding stops too). */
const STRICT_DEPTH = 512;

/** True for errors, including those of another realm. */
function isError(value: object): value is Error {
  return value instanceof Error || types.isNativeError(value) || value instanceof DOMException;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function describe(value: unknown): string {
  try {
    if (typeof value === 'function') return value.name ? `function ${value.name}` : 'function';
    if (typeof value === 'symbol') return safeString(value);
    if (types.isProxy(value)) return 'Proxy';
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return tag === 'Object' ? ((value as object).constructor?.name ?? 'object') : tag;
  } catch {
    return typeof value;
  }
}

/** The marker that replaces a value structured clone refuses. */
export function uncloneableMarker(value: unknown): string {
  return `[uncloneable: ${describe(value)}]`;
}

function unreadableMarker(key: string, error: unknown): string {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : safeString(error);
  return `[unreadable: the getter of '${key}' threw ${reason}]`;
}

/** Own data properties only: `__proto__` must not set the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** The built-in error class `error` is (or derives from), by prototype, or by constructor name for another realm's. */
function builtinOf(error: object): string | undefined {
  for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = BUILTIN_BY_PROTOTYPE.get(proto);
    if (name !== undefined) return name;
  }
  for (let proto = Object.getPrototypeOf(error); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined;
    if (typeof ctor?.name === 'string' && ctor.name in BUILTIN_ERRORS) return ctor.name;
  }
  return undefined;
}

/** Encodes values; see the module comment for the two modes. One encoder per message keeps shared references shared. */
export class Encoder {
  readonly #lenient: boolean;
  readonly #seen = new Map<object, unknown>();
  readonly #path = new Set<object>();
  #nodes = 0;
  #errorDepth = 0;
  /** Lenient: an object of an unknown class was copied field by field, and the walk cannot prove it cloneable. */
  unsure = false;
  /** Strict: something was encoded, so the receiver must decode. */
  marked = false;
  /** The registered classes whose instances were encoded, by name. */
  readonly classes = new Set<string>();

  constructor(options: { lenient: boolean }) {
    this.#lenient = options.lenient;
  }

  /** The encoded form of `value`. Strict mode may throw what a getter throws; lenient mode never throws. */
  value(value: unknown, depth = 0): unknown {
    if (value === null) return value;
    const type = typeof value;
    if (type === 'function' || type === 'symbol') return this.#lenient ? uncloneableMarker(value) : value;
    if (type !== 'object') return value;
    const object = value as object;
    if (this.#lenient) {
      if (this.#path.has(object)) return '[circular]';
      if (depth > LENIENT_DEPTH || ++this.#nodes > LENIENT_NODES) return '[truncated]';
      this.#path.add(object);
      try {
        return this.#object(object, depth);
      } finally {
        this.#path.delete(object);
      }
    }
    const done = this.#seen.get(object);
    if (done !== undefined) return done;
    if (depth > STRICT_DEPTH) return object;
    return this.#object(object, depth);
  }

  /** The error `error` as data. Always lenient (a task's error must arrive whatever it holds). */
  error(error: object, depth = 0): SerializedError {
    if (!this.#lenient) {
      const lenient = new Encoder({ lenient: true });
      const data = lenient.error(error, depth);
      return lenient.unsure ? provenCloneable(data) : data;
    }
    this.#errorDepth++;
    const top = !this.#path.has(error);
    if (top) this.#path.add(error);
    try {
      const name = this.#read(error, 'name');
      const message = this.#read(error, 'message');
      const stack = this.#read(error, 'stack');
      const data: SerializedError = {
        name: typeof name === 'string' ? name : 'Error',
        message: message === undefined ? '' : typeof message === 'string' ? message : safeString(message),
      };
      if (typeof stack === 'string') data.stack = stack;
      const builtin = builtinOf(error);
      if (builtin !== undefined && builtin !== 'Error') data.builtin = builtin;
      const registered = registeredAncestorOf(error);
      if (registered !== undefined) data.registered = registered;
      let props: Record<string, unknown> | undefined;
      let hidden: string[] | undefined;
      for (const key of Object.getOwnPropertyNames(error)) {
        if (key === 'stack' || key === 'message') continue;
        const descriptor = Object.getOwnPropertyDescriptor(error, key);
        if (!descriptor) continue;
        let raw: unknown;
        if ('value' in descriptor) raw = descriptor.value;
        else if (descriptor.get) {
          try {
            raw = descriptor.get.call(error);
          } catch (thrown) {
            raw = unreadableMarker(key, thrown);
          }
        }
        props ??= {};
        setOwn(props, key, this.value(raw, depth + 1));
        if (!descriptor.enumerable) {
          hidden ??= [];
          hidden.push(key);
        }
      }
      if (props) data.props = props;
      if (hidden) data.hidden = hidden;
      return data;
    } finally {
      this.#errorDepth--;
      if (top) this.#path.delete(error);
    }
  }

  #read(object: object, key: string | number): unknown {
    try {
      return (object as Record<string, unknown>)[key];
    } catch (thrown) {
      return unreadableMarker(String(key), thrown);
    }
  }

  #get(object: object, key: string | number): unknown {
    return this.#lenient ? this.#read(object, key) : (object as Record<string | number, unknown>)[key];
  }

  #object(object: object, depth: number): unknown {
    if (isError(object)) {
      if (this.#errorDepth >= ERROR_DEPTH) {
        return this.#lenient ? `[truncated: errors nested more than ${ERROR_DEPTH} deep]` : object;
      }
      this.marked = true;
      const mark: ErrorMark = { [MARK]: 'error', error: { name: 'Error', message: '' } };
      this.#seen.set(object, mark);
      mark.error = this.error(object, depth);
      return mark;
    }
    if (Array.isArray(object)) {
      const out: unknown[] = [];
      this.#seen.set(object, out);
      for (let i = 0; i < object.length; i++) {
        if (this.#exhausted()) {
          out.push('[truncated]');
          break;
        }
        out.push(this.value(this.#get(object, i), depth + 1));
      }
      return out;
    }
    const registered = registeredNameOf(object);
    if (registered !== undefined) {
      this.marked = true;
      this.classes.add(registered);
      const mark: ClassMark = { [MARK]: 'class', name: registered, data: {} };
      this.#seen.set(object, mark);
      this.#fields(object, mark.data, depth);
      return mark;
    }
    const proto = Object.getPrototypeOf(object);
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      if (Object.hasOwn(object, MARK)) {
        // A plain object that has the marker key itself travels wrapped, so it is not mistaken for an encoding.
        this.marked = true;
        const mark: ObjectMark = { [MARK]: 'object', data: out };
        this.#seen.set(object, mark);
        this.#fields(object, out, depth);
        return mark;
      }
      this.#seen.set(object, out);
      this.#fields(object, out, depth);
      return out;
    }
    if (object instanceof Map) {
      const out = new Map<unknown, unknown>();
      this.#seen.set(object, out);
      for (const [key, entry] of object) out.set(this.value(key, depth + 1), this.value(entry, depth + 1));
      return out;
    }
    if (object instanceof Set) {
      const out = new Set<unknown>();
      this.#seen.set(object, out);
      for (const entry of object) out.add(this.value(entry, depth + 1));
      return out;
    }
    if (this.#lenient) return this.#lenientLeaf(object, depth);
    return object;
  }

  /** Lenient: a leaf structured clone copies as it is, a marker for one it refuses, or the fields of an unknown class. */
  #lenientLeaf(object: object, depth: number): unknown {
    if (object instanceof SharedArrayBuffer) return uncloneableMarker(object);
    if (ArrayBuffer.isView(object))
      return object.buffer instanceof SharedArrayBuffer ? uncloneableMarker(object) : object;
    if (
      object instanceof ArrayBuffer ||
      object instanceof Date ||
      object instanceof RegExp ||
      types.isBoxedPrimitive(object)
    ) {
      return object;
    }
    if (
      types.isPromise(object) ||
      object instanceof WeakMap ||
      object instanceof WeakSet ||
      object instanceof WeakRef ||
      types.isProxy(object)
    ) {
      return uncloneableMarker(object);
    }
    // What structured clone does with an instance of an unknown class: its own
    // enumerable fields as a plain object. A host object may hide among them.
    this.unsure = true;
    const out: Record<string, unknown> = {};
    this.#fields(object, out, depth);
    return out;
  }

  #fields(object: object, out: Record<string, unknown>, depth: number): void {
    for (const key of Object.keys(object)) setOwn(out, key, this.value(this.#get(object, key), depth + 1));
  }

  /** Lenient: the node budget is spent, so the rest of an array is left out. */
  #exhausted(): boolean {
    return this.#lenient && this.#nodes > LENIENT_NODES;
  }
}

/**
 * `data` itself if it can be structured-cloned, else with each property that
 * cannot replaced by a marker (a host object found in an unknown class's fields).
 */
function provenCloneable(data: SerializedError): SerializedError {
  try {
    structuredClone(data);
    return data;
  } catch {
    const props: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data.props ?? {})) {
      try {
        structuredClone(value);
        setOwn(props, key, value);
      } catch {
        setOwn(props, key, uncloneableMarker(value));
      }
    }
    return { ...data, props };
  }
}

/** Rebuilds what an {@link Encoder} encoded. One decoder per message keeps shared references shared. */
export class Decoder {
  readonly #seen = new Map<object, unknown>();

  value(value: unknown, depth = 0): unknown {
    if (value === null || typeof value !== 'object') return value;
    const done = this.#seen.get(value);
    if (done !== undefined) return done;
    if (depth > STRICT_DEPTH) return value;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      this.#seen.set(value, out);
      for (const entry of value) out.push(this.value(entry, depth + 1));
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const record = value as Record<string, unknown>;
      if (Object.hasOwn(record, MARK)) return this.#mark(record as unknown as Mark, depth);
      const out: Record<string, unknown> = {};
      this.#seen.set(value, out);
      this.#fields(record, out, depth);
      return out;
    }
    if (value instanceof Map) {
      const out = new Map<unknown, unknown>();
      this.#seen.set(value, out);
      for (const [key, entry] of value) out.set(this.value(key, depth + 1), this.value(entry, depth + 1));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set<unknown>();
      this.#seen.set(value, out);
      for (const entry of value) out.add(this.value(entry, depth + 1));
      return out;
    }
    return value;
  }

  /** Rebuilds an error from its data: its class where known here, its properties, the worker's stack. */
  error(data: SerializedError): Error {
    const done = this.#seen.get(data);
    if (done !== undefined) return done as Error;
    const cls = data.registered !== undefined ? registeredClass(data.registered) : undefined;
    const error = construct(data, cls);
    this.#seen.set(data, error);
    const hidden = new Set(data.hidden ?? []);
    for (const [key, raw] of Object.entries(data.props ?? {})) {
      try {
        Object.defineProperty(error, key, {
          value: this.value(raw, 1),
          writable: true,
          configurable: true,
          enumerable: !hidden.has(key),
        });
      } catch {
        // A property the rebuilt class does not let us define (a frozen prototype's accessor): skip it.
      }
    }
    if (error.name !== data.name) {
      Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
    }
    // The worker's stack says where the task failed; that is the useful one.
    Object.defineProperty(error, 'stack', {
      value: data.stack ?? `${data.name}: ${data.message}\n    at <worker>`,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    return error;
  }

  #mark(mark: Mark, depth: number): unknown {
    switch (mark[MARK]) {
      case 'error':
        return this.#remember(mark, this.error(mark.error));
      case 'class': {
        const cls = registeredClass(mark.name);
        // Not registered on this side: the fields alone, as structured clone gives them.
        const out = (cls ? Object.create(cls.prototype) : {}) as Record<string, unknown>;
        this.#seen.set(mark, out);
        for (const key of Object.keys(mark.data)) {
          Object.defineProperty(out, key, {
            value: this.value(mark.data[key], depth + 1),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
        return out;
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        this.#seen.set(mark, out);
        this.#fields(mark.data, out, depth);
        return out;
      }
      default: {
        // Not an encoding this version knows: leave the object as it came.
        const out: Record<string, unknown> = {};
        this.#seen.set(mark, out);
        this.#fields(mark as unknown as Record<string, unknown>, out, depth);
        return out;
      }
    }
  }

  #remember<T>(from: object, value: T): T {
    this.#seen.set(from, value);
    return value;
  }

  #fields(from: Record<string, unknown>, out: Record<string, unknown>, depth: number): void {
    for (const key of Object.keys(from)) setOwn(out, key, this.value(from[key], depth + 1));
  }
}

/** The built-in error class a registered class derives from, if any. */
function builtinBase(cls: RegisteredClass): ErrorConstructorLike | undefined {
  for (let proto = cls.prototype as object | null; proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = BUILTIN_BY_PROTOTYPE.get(proto);
    if (name !== undefined) return BUILTIN_ERRORS[name];
  }
  return undefined;
}

/** parapool's own error class of that name (the worker's copy of parapool may not be the caller's). */
function parapoolClass(name: string): ErrorConstructorLike | undefined {
  const found = (parapoolErrors as Record<string, unknown>)[name];
  return typeof found === 'function' && found.prototype instanceof parapoolErrors.ParapoolError
    ? (found as ErrorConstructorLike)
    : undefined;
}

/**
 * A real Error (what `Error.isError` and util.inspect recognise) with the
 * right prototype. The class's constructor is not run: its fields come back as
 * the own properties the worker saw.
 */
function construct(data: SerializedError, cls: RegisteredClass | undefined): Error {
  const base =
    (cls && builtinBase(cls)) ??
    (data.builtin !== undefined ? BUILTIN_ERRORS[data.builtin] : undefined) ??
    // Errors serialized without a class (error-like objects from a library): their name is all there is.
    (cls === undefined ? BUILTIN_ERRORS[data.name] : undefined) ??
    Error;
  const target = cls ?? (base === Error ? parapoolClass(data.name) : undefined) ?? base;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // the worker's stack replaces this one
  try {
    if (base === AggregateError) return Reflect.construct(AggregateError, [[], data.message], target) as Error;
    if (base === (DOMException as unknown)) {
      return Reflect.construct(DOMException, [data.message, data.name], target) as Error;
    }
    return Reflect.construct(base, [data.message], target) as Error;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** `thrown` as a SerializedError: never throws, whatever it is. */
export function encodeThrown(thrown: unknown): SerializedError {
  try {
    if (
      thrown !== null &&
      typeof thrown === 'object' &&
      (isError(thrown) || 'message' in (thrown as Record<string, unknown>))
    ) {
      const encoder = new Encoder({ lenient: true });
      const data = encoder.error(thrown);
      return encoder.unsure ? provenCloneable(data) : data;
    }
    const type = thrown === null ? 'null' : typeof thrown;
    const message =
      typeof thrown === 'string'
        ? thrown
        : `Task threw ${type === 'undefined' ? 'undefined' : `a non-Error value (${safeString(thrown)})`}; throw an Error to keep a message and stack`;
    return { name: 'Error', message, thrownType: type };
  } catch (error) {
    // A Proxy or a hostile object: say that much rather than lose the item.
    return { name: 'Error', message: `The task threw a value that could not be read: ${safeString(error)}` };
  }
}
