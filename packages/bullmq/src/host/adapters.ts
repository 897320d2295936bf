// Written by scripts/backends.mjs from backends.json (`pnpm backends`): do not edit.

/** Each adapter package (`@parapool/<name>`) a host can run its chunks on, and the Backend class it exports. */
export const ADAPTERS = {
  piscina: 'PiscinaBackend',
  tinypool: 'TinypoolBackend',
  threads: 'ThreadsBackend',
  'child-process': 'ChildProcessBackend',
  workerpool: 'WorkerpoolBackend',
  poolifier: 'PoolifierBackend',
  'worker-threads': 'WorkerThreadsBackend',
} as const;
