import type { Scientist } from './tasks.js';

/** The seed's records: a frozen list of frozen records. */
export const scientists: readonly Scientist[] = Object.freeze(
  [
    { name: 'Ada Lovelace', field: 'math', born: 1815, nobel: false },
    { name: 'Emmy Noether', field: 'math', born: 1882, nobel: false },
    { name: 'Marie Curie', field: 'physics', born: 1867, nobel: true },
    { name: 'Tu Youyou', field: 'chemistry', born: 1930, nobel: true },
    { name: 'Ada Yonath', field: 'chemistry', born: 1939, nobel: true },
    { name: 'Vera Rubin', field: 'astronomy', born: 1928, nobel: false },
    { name: 'Sally Ride', field: 'physics', born: 1951, nobel: false },
  ].map((x) => Object.freeze(x)),
);
