/** How big each workload is: the sizes, or small ones for `--quick`. */
export interface Sizes {
  /** howmany: rows of 5 integers in [0, 10). */
  readonly howmanyRows: number;
  /** howmany: rows used for the one-call-per-item methods (apply loop, raw per item). */
  readonly howmanySample: number;
  /** howmany: chunksize of imap and imapUnordered. */
  readonly imapChunksize: number;
  /** apply-round-trip: single apply() calls, one after another. */
  readonly roundTrips: number;
  /** square: numbers mapped. */
  readonly squareItems: number;
  /** cpu-bound: number of tasks... */
  readonly cpuTasks: number;
  /** ...and the milliseconds of computation each. */
  readonly cpuTaskMs: number;
  /** io-bound: GET requests... */
  readonly ioRequests: number;
  /** ...sent in chunks of this many (an async task: a chunk's requests run concurrently)... */
  readonly ioChunk: number;
  /** ...to a server that waits this long before answering. */
  readonly ioDelayMs: number;
  /** sort: random numbers sorted. */
  readonly sortItems: number;
  /** shared-memory: numbers of the array summed (3.125 million: 25 MB). */
  readonly sharedItems: number;
  /** crossover: work per item, in microseconds. */
  readonly crossoverGrainsUs: readonly number[];
  /** crossover: items per call. */
  readonly crossoverItems: number;
}

/**
 * The full run: big enough that a run's fixed costs (a pool's first call, a
 * timer) stay small beside its work, small enough for 6–12 runs of every case
 * in 5 minutes on 2 cores.
 */
export const fullSizes: Sizes = {
  howmanyRows: 100_000,
  howmanySample: 1_000,
  imapChunksize: 1000,
  roundTrips: 1_000,
  squareItems: 1_000_000,
  cpuTasks: 16,
  cpuTaskMs: 20,
  ioRequests: 1_000,
  ioChunk: 100,
  ioDelayMs: 5,
  sortItems: 1_000_000,
  sharedItems: 3_125_000,
  crossoverGrainsUs: [1, 3, 10, 30, 100, 300, 1000, 3000],
  crossoverItems: 100,
};

/** `--quick`: every workload and method, small enough to finish in under a minute. */
export const quickSizes: Sizes = {
  howmanyRows: 10_000,
  howmanySample: 100,
  imapChunksize: 1000,
  roundTrips: 100,
  squareItems: 100_000,
  cpuTasks: 8,
  cpuTaskMs: 2,
  ioRequests: 200,
  ioChunk: 50,
  ioDelayMs: 5,
  sortItems: 100_000,
  sharedItems: 200_000,
  crossoverGrainsUs: [1, 100, 1000],
  crossoverItems: 8,
};
