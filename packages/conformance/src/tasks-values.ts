/**
 * Tasks of the conformance suite about what crosses the worker boundary:
 * errors of every shape, values that cannot be copied, and registered classes.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentWorker, defineTasks } from '@parapool/core';

/** A data class with a method; registered below, so its instances cross as instances. */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

/** An error class of the task module's own, registered below. */
export class ValidationError extends RangeError {
  override name = 'ValidationError';
  constructor(
    message: string,
    public field: string,
    public at?: Point,
  ) {
    super(message);
  }
  describe(): string {
    return `${this.field}: ${this.message}`;
  }
}

/** Not registered: its instances keep structured-clone behaviour. */
export class Unregistered {
  constructor(public value: number) {}
  twice(): number {
    return this.value * 2;
  }
}

/** An error class that is not registered, with fields of every cloneable kind. */
class DetailedError extends Error {
  override name = 'DetailedError';
  code = 'E_DETAILED';
  details = { when: new Date(Date.UTC(2024, 0, 2)), tags: ['a', 'b'], limits: { low: 1, high: 9 } };
  attempts = [1, 2, 3];
  seen = new Map([['host', 'db-1']]);
}

function withThrowingGetter<T extends object>(target: T): T {
  return Object.defineProperty(target, 'secret', {
    enumerable: true,
    get() {
      throw new Error('getter exploded');
    },
  });
}

function stamp(): string {
  const info = currentWorker();
  return `${info?.id}#${info?.jobs}`;
}

export const valueTasks = defineTasks(
  import.meta.url,
  {
    throwDetailed: (message: string): never => {
      throw new DetailedError(message);
    },
    /** Throws Error('top') ← RangeError('middle') ← TypeError('root', code E_ROOT). */
    throwCauseChain: (): never => {
      const root = Object.assign(new TypeError('root'), { code: 'E_ROOT' });
      throw new Error('top', { cause: new RangeError('middle', { cause: root }) });
    },
    throwAggregate: (): never => {
      throw new AggregateError([new TypeError('first'), new ValidationError('second', 'age')], 'two things failed');
    },
    throwDomException: (message: string, name: string): never => {
      throw new DOMException(message, name);
    },
    throwUncloneableProps: (): never => {
      throw Object.assign(new Error('holds a function'), {
        onRetry: function onRetry() {},
        tag: Symbol('tag'),
        nested: { callback: () => 1, kept: 'yes' },
        kept: 42,
      });
    },
    throwWithThrowingGetter: (): never => {
      throw withThrowingGetter(new Error('has a bad getter'));
    },
    returnThrowingGetter: () => withThrowingGetter({ fine: 1 }),
    /** The status of a GET to `url` (fails when nothing listens there). */
    fetchStatus: async (url: string) => (await fetch(url)).status,
    throwValidation: (field: string): never => {
      throw new ValidationError(`${field} is out of range`, field, new Point(3, 4));
    },
    /** Throws an unregistered error holding a registered instance. */
    throwHoldingPoint: (): never => {
      throw Object.assign(new Error('at a point'), { where: new Point(6, 8), list: [new Point(0, 1)] });
    },
    scale(p: Point, k: number): Point {
      if (!(p instanceof Point)) throw new TypeError('scale() did not get a Point');
      return new Point(p.x * k, p.y * k);
    },
    /** What a value looks like in the worker. */
    inspect: (value: unknown) => ({
      isPoint: value instanceof Point,
      isUnregistered: value instanceof Unregistered,
      fields: { ...(value as object) },
    }),
    makeUnregistered: (value: number) => new Unregistered(value),
    /** Writes `value` into the first slot of `buffer` (shared memory, where it can be shared). */
    writeShared: (buffer: SharedArrayBuffer, value: number) => {
      new Int32Array(buffer)[0] = value;
      return buffer instanceof SharedArrayBuffer;
    },
    makeShared: () => new SharedArrayBuffer(4),
    /**
     * Appends this call's job stamp to `dir/i` (so tests see every run) and
     * returns it; with `uncloneable`, returns it inside a value that cannot be cloned.
     */
    recordRun: (dir: string, i: number, uncloneable: boolean) => {
      const mine = stamp();
      appendFileSync(join(dir, String(i)), `${mine}\n`);
      return uncloneable ? { stamp: mine, callback: () => i } : mine;
    },
  },
  { classes: { ConformancePoint: Point, ConformanceValidationError: ValidationError } },
);
