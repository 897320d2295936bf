import { defineTasks } from '@parapool/core';

export const tasks = defineTasks(import.meta.url, {
  /** Sums the squares below `n`: a CPU-bound task whose time grows with `n`. */
  sumOfSquares(n: number): number {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += i * i;
    return sum;
  },
});
