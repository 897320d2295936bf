/**
 * Chunks are bounded by bytes as well as items: a chunk whose serialized body
 * is over the limit is halved until each piece fits (each piece its own BullMQ
 * job), and a single item over the limit fails alone with a CloneError that
 * says how big it was. The core never sees the pieces: their results are merged.
 */
import { CloneError } from '@parapool/core';
import {
  type EncodedJob,
  type EndedItem,
  type ItemFailure,
  isPackedTuples,
  type JobResult,
  jobLength,
  serializeError,
  unpackTuples,
} from '@parapool/core/adapter';

/** A part of a job (`part`: items `offset` to `offset + length`): `body` is what to send, or undefined for one item over the limit. */
export interface Piece {
  readonly offset: number;
  readonly length: number;
  readonly part: EncodedJob;
  readonly body: Buffer | undefined;
  readonly bytes: number;
}

/** Items `start` to `end` of an unpacked job. */
function slice(job: EncodedJob, start: number, end: number): EncodedJob {
  if (job.columns) return { ...job, columns: job.columns.map((column) => column.slice(start, end)) };
  return { ...job, items: job.items.slice(start, end) };
}

/**
 * Splits `job` into pieces whose encoded body is at most `maxBytes`.
 * `encode` may throw (a DataCloneError): the caller reports it.
 */
export function splitByBytes(job: EncodedJob, encode: (job: EncodedJob) => Buffer, maxBytes: number): Piece[] {
  const pieces: Piece[] = [];
  const visit = (part: EncodedJob, offset: number, body: Buffer): void => {
    const length = jobLength(part);
    if (body.length <= maxBytes) {
      pieces.push({ offset, length, part, body, bytes: body.length });
    } else if (length <= 1) {
      pieces.push({ offset, length, part, body: undefined, bytes: body.length });
    } else {
      const half = Math.ceil(length / 2);
      const left = slice(part, 0, half);
      const right = slice(part, half, length);
      visit(left, offset, encode(left));
      visit(right, offset + half, encode(right));
    }
  };
  visit(job, 0, encode(job));
  return pieces;
}

const MIB = 1024 * 1024;

/** The failure of one item whose chunk would be over the limit on its own. */
export function oversized(piece: Piece, maxBytes: number): JobResult {
  const error = new CloneError(
    `An argument is ${(piece.bytes / MIB).toFixed(1)} MiB once serialized, over the ${(maxBytes / MIB).toFixed(1)} MiB a chunk may take (maxChunkBytes): send something smaller (a path or a key the task can read on the host), or raise maxChunkBytes.`,
  );
  return { values: [undefined], failures: [{ index: 0, error: serializeError(error) }] };
}

/** The values of a result as a plain array (numbers packed as a Float64Array or as tuple columns unpacked). */
function valuesOf(result: JobResult): unknown[] {
  const { values } = result;
  if (isPackedTuples(values)) return unpackTuples(values);
  return Array.isArray(values) ? values : Array.from(values);
}

/** One result for the whole job from its pieces' results, in order. */
export function mergeResults(pieces: readonly Piece[], results: readonly JobResult[]): JobResult {
  if (results.length === 1) return results[0] as JobResult;
  const values: unknown[] = [];
  let failures: ItemFailure[] | undefined;
  results.forEach((result, i) => {
    const { offset } = pieces[i] as Piece;
    for (const value of valuesOf(result)) values.push(value);
    for (const failure of result.failures ?? []) {
      failures ??= [];
      failures.push({ index: failure.index + offset, error: failure.error });
    }
  });
  return failures ? { values, failures } : { values };
}

/** The items of `ended` (a job's, ended in a run whose worker died) that are `piece`'s, indexed in it; undefined if none. */
export function piecesEnded(ended: readonly EndedItem[], piece: Piece): EndedItem[] | undefined {
  const own: EndedItem[] = [];
  for (const item of ended) {
    if (item.i >= piece.offset && item.i < piece.offset + piece.length) own.push({ ...item, i: item.i - piece.offset });
  }
  return own.length > 0 ? own : undefined;
}

/** The result of a piece whose items all ended in an earlier run (`ended`, one per item). */
export function endedResult(ended: readonly EndedItem[], length: number): JobResult {
  const values = new Array<unknown>(length);
  const failures: ItemFailure[] = [];
  for (const item of ended) {
    if ('value' in item) values[item.i] = item.value;
    else failures.push({ index: item.i, error: item.failure });
  }
  return failures.length > 0 ? { values, failures } : { values };
}

/**
 * What ended of a job whose piece `crashed` lost its worker: the items that piece's host sent back
 * (`carried`, indexed in the piece), and every item of the pieces that had answered.
 */
export function jobEnded(
  pieces: readonly Piece[],
  results: readonly (JobResult | undefined)[],
  crashed: number,
  carried: readonly EndedItem[] | undefined,
): EndedItem[] {
  const ended: EndedItem[] = [];
  pieces.forEach((piece, at) => {
    if (at === crashed) {
      for (const item of carried ?? []) ended.push({ ...item, i: item.i + piece.offset });
      return;
    }
    const result = results[at];
    if (!result) return;
    const failed = new Map((result.failures ?? []).map((failure) => [failure.index, failure.error]));
    valuesOf(result).forEach((value, i) => {
      const failure = failed.get(i);
      ended.push(failure ? { i: i + piece.offset, failure } : { i: i + piece.offset, value });
    });
  });
  return ended.sort((a, b) => a.i - b.i);
}
