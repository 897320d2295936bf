import { describe, expect, it } from 'vitest';

// The built bench (its workers are the built files beside it), typed by its source.
const built: string = '../dist/raw-libraries.js';
const { rawLibraries } = (await import(built)) as typeof import('../src/raw-libraries.js');

describe('raw libraries', () => {
  // Cold start builds a fresh pool per repetition. poolifier's own destroy() did not always settle once its
  // threads had exited (about one fresh pool in three here), and the run waited on it for good.
  it.each(rawLibraries.map((library) => [library.label, library] as const))(
    '%s: a fresh pool answers and its destroy() ends, ten times over',
    async (_label, library) => {
      for (let round = 0; round < 10; round++) {
        const pool = await library.create(2);
        expect(await pool.run('square', 3)).toBe(9);
        await pool.destroy();
      }
    },
    240_000,
  );
});
