/**
 * The crawl the site test relies on, against a small site with known faults: it must report each
 * of them (a missing page, a missing anchor, a missing file, a console error, a script that throws),
 * and nothing on the pages that are sound, or the site test's passing says nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { brokenLinks, type Crawl, crawl } from './crawl.js';
import { type StaticServer, serveFolder } from './serve.js';

const page = (body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>t</title></head><body>${body}</body></html>`;

describe('the crawl, on a site with known faults', () => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;
  let result: Crawl;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parapool-docs-crawl-'));
    await writeFile(
      join(dir, 'index.html'),
      page(`<a href="sound.html#here">sound</a> <a href="missing.html">missing page</a>
<a href="sound.html#nowhere">missing anchor</a> <a href="data.txt">file</a> <a href="gone.txt">missing file</a>
<a href="noisy.html">noisy</a> <a href="https://example.com/">external, not followed</a>`),
    );
    await writeFile(join(dir, 'sound.html'), page('<h2 id="here">here</h2><a href="index.html">back</a>'));
    await writeFile(join(dir, 'data.txt'), 'data');
    // A link that only a script makes, like TypeDoc's navigation: it must be followed too.
    await writeFile(
      join(dir, 'noisy.html'),
      page(`<script>console.error('something broke');
const a = document.createElement('a'); a.href = 'built.html'; a.textContent = 'built'; document.body.append(a);
setTimeout(() => { throw new Error('thrown later'); });</script>`),
    );
    server = await serveFolder(dir);
    browser = await launchChromium();
    result = await crawl(browser, server.origin, '/index.html');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports the missing page, the missing anchor and the missing file, and only those', () => {
    expect(brokenLinks(result).sort()).toEqual(
      [
        '/index.html → /missing.html: the page did not open',
        '/index.html → /sound.html#nowhere: no such anchor',
        '/index.html → /gone.txt: HTTP 404',
        '/noisy.html → /built.html: the page did not open',
      ].sort(),
    );
  });

  it('reports the console error and the page error on their page, and nothing on the sound ones', () => {
    const noisy = result.problems.get('/noisy.html') ?? [];
    expect(noisy).toEqual(
      expect.arrayContaining(['console error: something broke', expect.stringContaining('thrown later')]),
    );
    expect(result.problems.get('/index.html')).toBeUndefined();
    expect(result.problems.get('/sound.html')).toBeUndefined();
  });

  it('follows links a script built, and never leaves the site', () => {
    // Every page linked was opened (the missing ones answered 404), the external one never.
    expect([...result.pages.keys()].sort()).toEqual([
      '/built.html',
      '/index.html',
      '/missing.html',
      '/noisy.html',
      '/sound.html',
    ]);
    expect(result.links.some((l) => l.path === '/built.html')).toBe(true);
    expect(result.links.every((l) => !l.path.includes('example.com'))).toBe(true);
  });
});
