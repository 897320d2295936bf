import { currentWorker, defineTasks } from '@parapool/core';

/** A record, frozen: the program transforms data, it never changes it. */
export interface Scientist {
  readonly name: string;
  readonly field: string;
  readonly born: number;
  readonly nobel: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long `transform` pretends to work (Python's `time.sleep(1)`); set per worker by the initializer. */
let delayMs = 1000;

export const tasks = defineTasks(import.meta.url, {
  /** Pool initializer: runs once in each worker. */
  configure: (delay: number) => {
    delayMs = delay;
  },
  /** A new record from an old one: name and age in 2017. */
  transform: async (x: Scientist) => {
    const worker = currentWorker()?.id;
    console.log(`Worker ${worker} (pid ${process.pid}) working record ${x.name}`);
    await sleep(delayMs);
    const result = Object.freeze({ name: x.name, age: 2017 - x.born });
    console.log(`Worker ${worker} (pid ${process.pid}) done processing record ${x.name}`);
    return result;
  },
});
