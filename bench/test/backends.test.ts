import { describe, expect, it } from 'vitest';
import { loadBackend, loadBackendFrom } from '../src/backends.js';

describe('backend registry', () => {
  it('loads a built backend and its createPool', async () => {
    const inline = await loadBackend('inline');
    expect(inline.available).toBe(true);
    if (!inline.createPool) return;
    const pool = inline.createPool({ processes: 1 });
    try {
      expect(pool.backend).toBe('inline');
      expect(await pool.map((n: number) => n * n, [1, 2, 3])).toEqual([1, 4, 9]);
    } finally {
      await pool.terminate();
    }
  });

  it('reports a package that cannot be imported as not available, saying to build it', async () => {
    const missing = await loadBackendFrom('missing', '@parapool/not-a-package');
    expect(missing).toMatchObject({ id: 'missing', available: false });
    expect(missing.reason).toMatch(/@parapool\/not-a-package is not built yet.*pnpm build/);
  });

  it('reports a package without createPool as not available', async () => {
    const wrong = await loadBackendFrom('wrong', 'node:os');
    expect(wrong).toMatchObject({ available: false, reason: 'node:os does not export createPool()' });
  });

  it('reports an unknown backend name as not available, listing the known ones', async () => {
    const unknown = await loadBackend('nope');
    expect(unknown.available).toBe(false);
    expect(unknown.reason).toContain('piscina');
  });
});
