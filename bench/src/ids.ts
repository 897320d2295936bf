/**
 * The typed ids of the bench: workloads, columns (subjects) and rows (methods).
 * Results are looked up by these ids, never by display labels; labels are
 * for people and may change freely.
 */

/** A workload. */
export type WorkloadId =
  | 'howmany'
  | 'square'
  | 'apply-round-trip'
  | 'cpu-bound'
  | 'io-bound'
  | 'sort'
  | 'shared-memory'
  | 'crossover'
  | 'cold-start';

/** A parapool backend, by the name its pool reports (`'piscina'`); backends.ts lists the known ones. */
export type BackendName = string;

/** A raw library's column: its backend's name and `-raw` (`'piscina-raw'`). */
export type RawId = `${BackendName}-raw`;

/** What a column is. */
export type SubjectKind = 'sequential' | 'limit' | 'parapool' | 'raw' | 'python';

/**
 * A column: the sequential loop, the hand-written limit, a parapool backend, a
 * raw library ('piscina-raw'), CPython's Pool or CPython's own sequential loop.
 */
export type SubjectId = 'sequential' | 'limit' | 'python' | 'python-sequential' | BackendName | RawId;

/** A row of a workload's table: what was run. Crossover rows add the grain (`grainUs`). */
export type MethodId =
  // sequential references
  | 'loop'
  | 'loop-sample'
  | 'callbacks-no-pool'
  | 'promises-no-pool'
  | 'sort-copy'
  | 'sum-loop'
  // the Pool methods
  | 'apply-loop-sample'
  | 'map-chunksize-1-sample'
  | 'apply-async-callback'
  | 'apply-async-get'
  | 'map'
  | 'starmap'
  | 'map-async'
  | 'starmap-async'
  | 'imap'
  | 'imap-unordered'
  | 'imap-auto'
  | 'imap-1-sample'
  | 'imap-auto-sample'
  | 'sort-parts'
  | 'sum-clone'
  | 'sum-transfer'
  | 'sum-shared'
  | 'sum-shared-parts'
  | 'round-trip'
  | 'cold-start'
  | 'shutdown'
  // raw libraries
  | 'per-item'
  | 'per-item-sample'
  | 'per-chunk'
  // the limit's process variants (child-process is compared with these)
  | 'round-trip-fork'
  | 'cold-start-fork'
  // a Python run that failed as a whole
  | 'all';
