/**
 * The gate of a job sent ahead to a busy worker: one cell of shared memory per
 * job on the worker, flipped once by compare-and-swap — to `started` by the
 * worker when it begins the job, or to `dropped` by the caller when the job is
 * cancelled or given to another worker first. Whoever flips it first decides.
 */
export const GATE = { waiting: 0, started: 1, dropped: 2 } as const;
