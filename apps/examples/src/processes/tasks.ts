import { defineTasks } from '@parapool/core';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// PyMOTW's exit-code example: each target ends its process a different way.
export const tasks = defineTasks(import.meta.url, {
  greet: (name: string) => {
    console.log('hello', name);
  },
  exitError: () => {
    process.exit(1); // Python: sys.exit(1)
  },
  exitOk: () => {},
  returnValue: () => 1,
  raises: () => {
    throw new Error('There was an error!');
  },
  terminated: () => sleep(3000),
});
