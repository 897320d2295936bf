/**
 * The gate of a job sent ahead to a busy worker: one cell of shared memory per
 * job on the worker. It is flipped once by compare-and-swap from `waiting` —
 * to `started` by the worker when it begins the job, or to `dropped` by the
 * caller when the job is cancelled or given to another worker first: whoever
 * flips it first decides. The worker then stores `ended` once the job's outcome
 * is ready, before its answer is on its way: if the worker dies with that answer
 * unread, the caller knows the job did not die with it, and runs it again elsewhere.
 */
export const GATE = { waiting: 0, started: 1, dropped: 2, ended: 3 } as const;
