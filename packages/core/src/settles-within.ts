/**
 * Resolves with `true` once `promise` settles (fulfilled or rejected), or with
 * `false` after `ms` if it has not: a bound on a wait that must not hang (a
 * library's stop, a connection's quit, a process's exit). Never rejects; its
 * timer is cleared as soon as either happens. Read the value from `promise`
 * itself when it settled in time.
 *
 * @example
 * ```ts
 * if (!(await settlesWithin(worker.stop(), 10_000))) console.warn('the worker did not stop');
 * ```
 */
export function settlesWithin(promise: PromiseLike<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = Promise.resolve(promise).then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
