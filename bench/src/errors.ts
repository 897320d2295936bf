/** Errors as the report shows them: the error itself and its `cause` chain. */

/** An error, and what caused it (outermost first), each as 'Name: message (code)'. */
export interface DescribedError {
  readonly error: string;
  readonly causes: string[];
}

function one(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const suffix = typeof code === 'string' || typeof code === 'number' ? ` (${code})` : '';
  return `${error.name}: ${error.message}${suffix}`;
}

/** Describes `error` and follows its `cause` chain (and an AggregateError's errors), at most 8 deep. */
export function describeError(error: unknown): DescribedError {
  const causes: string[] = [];
  const seen = new Set<unknown>([error]);
  let next: unknown = error instanceof Error ? error.cause : undefined;
  if (error instanceof AggregateError) for (const e of error.errors.slice(0, 4)) causes.push(one(e));
  while (next !== undefined && !seen.has(next) && causes.length < 8) {
    seen.add(next);
    causes.push(one(next));
    if (next instanceof AggregateError) for (const e of next.errors.slice(0, 4)) causes.push(one(e));
    next = next instanceof Error ? next.cause : undefined;
  }
  return { error: one(error), causes };
}

/** One line: the error and its causes, 'A ← caused by B ← caused by C'. */
export function errorLine(error: string | undefined, causes: readonly string[] | undefined): string {
  return [error ?? 'failed', ...(causes ?? [])].join(' ← caused by ');
}
