/**
 * The classes whose instances cross the worker boundary as instances: what
 * structured clone drops (the prototype, so methods and `instanceof`) is
 * restored on the other side from a name both sides know. A task module
 * registers its classes (`defineTasks(url, fns, { classes: { Point } })`), so a
 * worker learns them when it imports that module, the caller when it imports
 * the handles.
 */

/** A class that can be registered: anything with a prototype that `new` accepts. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature; instances are rebuilt without calling them
export type RegisteredClass = abstract new (...args: any[]) => object;

interface ClassRegistry {
  readonly byName: Map<string, RegisteredClass>;
  readonly byPrototype: Map<object, string>;
  /** The module that registered each class, which a worker imports to learn it. */
  modules?: Map<string, string>;
}

// On globalThis, so every copy of this module in one thread (a task module
// loaded through tsx gets its own module graph) sees the same classes.
const KEY = Symbol.for('parapool.classRegistry');

function registry(): ClassRegistry {
  const store = globalThis as unknown as Record<symbol, ClassRegistry | undefined>;
  let found = store[KEY];
  if (!found) {
    found = { byName: new Map(), byPrototype: new Map() };
    store[KEY] = found;
  }
  found.modules ??= new Map();
  return found;
}

/** Classes whose instances already cross as themselves (or cannot be rebuilt from their fields). */
const REFUSED: readonly unknown[] = [
  Object,
  Array,
  Function,
  Date,
  RegExp,
  Map,
  Set,
  WeakMap,
  WeakSet,
  Promise,
  ArrayBuffer,
  Error,
];

/**
 * Registers classes under stable names (the keys of `classes`), as defined by
 * the module at `moduleUrl` (which a worker imports to learn them). Registering the
 * same class again under the same name is a no-op; so is a re-evaluated copy of
 * the same class (same source), which replaces the old one.
 *
 * @throws TypeError for a value that is not a class, a built-in, a name taken
 * by a different class, or a class already registered under another name.
 */
export function registerClasses(classes: Readonly<Record<string, RegisteredClass>>, moduleUrl?: string): void {
  if (classes === null || typeof classes !== 'object' || Array.isArray(classes)) {
    throw new TypeError(
      'classes must be an object of classes by name, e.g. { classes: { Point, ParseError } } (the keys are the names both sides use)',
    );
  }
  const { byName, byPrototype, modules } = registry();
  for (const [name, cls] of Object.entries(classes)) {
    if (typeof cls !== 'function' || typeof cls.prototype !== 'object' || cls.prototype === null) {
      throw new TypeError(`classes.${name} is ${cls === null ? 'null' : typeof cls}, not a class`);
    }
    if (REFUSED.includes(cls)) {
      throw new TypeError(`classes.${name}: ${cls.name} crosses the boundary already; register your own classes only`);
    }
    const known = byName.get(name);
    if (moduleUrl !== undefined && !modules?.has(name)) modules?.set(name, moduleUrl);
    if (known === cls) continue;
    const other = byPrototype.get(cls.prototype);
    if (other !== undefined) {
      throw new TypeError(
        `Class ${cls.name} is already registered as '${other}': register each class under one name, so both sides agree on it`,
      );
    }
    if (known && Function.prototype.toString.call(known) !== Function.prototype.toString.call(cls)) {
      throw new TypeError(
        `Two different classes are registered as '${name}': give one of them another key in { classes: { ... } }`,
      );
    }
    if (known) byPrototype.delete(known.prototype);
    byName.set(name, cls);
    byPrototype.set(cls.prototype, name);
  }
}

/** The registered name of `value`'s class (its exact prototype), or undefined. */
export function registeredNameOf(value: object): string | undefined {
  const { byPrototype } = registry();
  if (byPrototype.size === 0) return undefined;
  return byPrototype.get(Object.getPrototypeOf(value) as object);
}

/** The nearest registered class in `value`'s prototype chain, by name, or undefined (for errors). */
export function registeredAncestorOf(value: object): string | undefined {
  const { byPrototype } = registry();
  if (byPrototype.size === 0) return undefined;
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = byPrototype.get(proto);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The class registered under `name` in this thread, or undefined. */
export function registeredClass(name: string): RegisteredClass | undefined {
  return registry().byName.get(name);
}

/** The URL of the module that registered the class `name`, if known. */
export function registeringModule(name: string): string | undefined {
  return registry().modules?.get(name);
}

/** True once any class is registered in this thread (the codec's fast path: nothing to do otherwise). */
export function hasRegisteredClasses(): boolean {
  return registry().byName.size > 0;
}
