/**
 * What crosses Redis between a caller pool and the hosts, and its codec.
 *
 * Bodies are written with Node's v8 serializer, the structured-clone format
 * local backends use between threads: Map, Set, Date, BigInt, typed arrays,
 * -0 and NaN arrive as they left, and what cannot be cloned locally cannot be
 * sent here either (the same CloneError). Its format is the V8's: a newer Node
 * can read what an older one wrote, not always the reverse, so each chunk
 * carries the writer's Node version and a host that cannot read it says so.
 */
import { deserialize, serialize } from 'node:v8';
import {
  type BackendOptions,
  containsSharedMemory,
  currentRuntime,
  type EncodedJob,
  type EndedItem,
  type JobResult,
  type SerializedError,
  type TaskCall,
} from '@parapool/core/adapter';

/** Version of this wire format; a host refuses chunks of another. */
export const WIRE_VERSION = 2;

/** How a chunk names its task on the wire: by path under the root and content hash, or as inline source. */
export type RemoteTask =
  | { readonly kind: 'module'; readonly path: string; readonly hash: string; readonly name: string }
  | { readonly kind: 'inline'; readonly source: string };

/**
 * The core's job (with its codec: registered class instances among the arguments arrive
 * encoded) as it crosses Redis: rows unpacked (chunks are split by bytes, item by item), its
 * tasks named by path and hash instead of by the caller's file URL, no jobs-ahead gate.
 */
export type RemoteJob = Omit<
  EncodedJob,
  'task' | 'initializer' | 'rowWidth' | 'columnRowWidths' | 'gate' | 'gateCells'
> & {
  readonly task: RemoteTask;
  readonly initializer?: { readonly task: RemoteTask; readonly args: TaskCall['args'] };
};

/**
 * The serialized part of a chunk: the job, and the caller pool's options for the
 * host's local workers (`processes`: a host runs at most this many of the
 * pool's chunks at once; `maxmemoryperchild` and `grace` are absent from older callers).
 */
export interface ChunkBody extends BackendOptions {
  readonly job: RemoteJob;
}

/** A BullMQ job's data (BullMQ stores it as JSON). */
export interface ChunkData {
  /** Wire version. */
  readonly w: number;
  /** The caller pool's id. */
  readonly pool: string;
  /** The caller's Node version (the v8 serializer's format follows it). */
  readonly node: string;
  /** How long the pool's result stream may live without its reader (ms). */
  readonly ttl: number;
  /** The ChunkBody, v8-serialized, base64 (empty for a batch). */
  readonly body: string;
  /**
   * A batch: several short chunks of the pool as one BullMQ job (fewer Redis round trips and scripts per
   * chunk), each with its own chunk id, body, cancel key and report.
   */
  readonly batch?: ReadonlyArray<{ readonly id: string; readonly body: string }>;
}

/** What a host reports for a chunk it took. */
export type Report =
  /** `ms`: the chunk's run time on the host (the caller batches the chunks of tasks that run short). */
  | { readonly result: JobResult; readonly host: string; readonly ms?: number }
  /**
   * `ended`: for a chunk whose local worker died, the items that had ended and what they ended with
   * (the caller's core sends the chunk again with them, and they do not run twice; absent from older hosts).
   */
  | { readonly error: SerializedError; readonly host: string; readonly ended?: readonly EndedItem[] }
  | { readonly dropped: 'cancelled' | 'pool ended'; readonly host: string }
  | { readonly stopped: true; readonly host: string };

/** Serializes a value (throws a DataCloneError for what structured clone refuses). */
export function encode(value: unknown): Buffer {
  // Node's serializer refuses shared memory; Bun's writes a copy without a word: refused alike on every runtime.
  if (SERIALIZER_COPIES_SHARED_MEMORY && containsSharedMemory(value)) {
    throw new DOMException('#<SharedArrayBuffer> could not be cloned.', 'DataCloneError');
  }
  return serialize(value);
}

const SERIALIZER_COPIES_SHARED_MEMORY = currentRuntime().name !== 'node';

/** Reads what `encode` wrote; `writer` is the writer's Node version, for the error. */
export function decode<T>(buffer: Buffer, writer: string): T {
  try {
    return deserialize(buffer) as T;
  } catch (error) {
    throw new Error(
      `Could not read data written by Node.js ${writer} on Node.js ${process.versions.node}: ${(error as Error).message}. Run the same Node.js major version on the callers and on every host.`,
    );
  }
}
