/**
 * The API reference as a reader meets it: the site `pnpm docs` built, served on 127.0.0.1 and
 * opened in headless Chromium. Every page reached by an internal link is opened; the test fails on
 * a broken link (page, file or anchor), a console error, a page error or a failed request, and
 * keeps screenshots of the landing page and of createPool's pages in apps/docs/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchPage } from './browser.js';
import { brokenLinks, type Crawl, crawl } from './crawl.js';
import { type StaticServer, serveFolder } from './serve.js';

const site = fileURLToPath(new URL('../site/', import.meta.url));
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));
const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** TypeDoc builds its navigation from a script: a page is read once that has run. */
const NAVIGATION_BUILT = "document.querySelector('#tsd-nav-container a') !== null";

describe('the API reference site in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let result: Crawl;

  beforeAll(async () => {
    if (!existsSync(`${site}index.html`))
      throw new Error(
        'apps/docs/site/index.html is missing: build the site first with `pnpm docs` (turbo runs it before this test)',
      );
    await mkdir(shots, { recursive: true });
    server = await serveFolder(site);
    browser = await launchChromium();
    result = await crawl(browser, server.origin, '/index.html', { ready: NAVIGATION_BUILT });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reaches every package module and the createPool of the core and of each adapter', () => {
    const pages = [...result.pages.keys()];
    for (const module of [
      'core',
      'core_adapter',
      'core_worker',
      'piscina',
      'tinypool',
      'threads',
      'child-process',
      'workerpool',
      'poolifier',
      'worker-threads',
      'bullmq',
      'bullmq_local-cluster',
      'bullmq_host',
      'conformance',
      'conformance_tasks',
    ])
      expect(pages).toContain(`/modules/_parapool_${module}.html`);
    for (const module of [
      'core',
      'piscina',
      'tinypool',
      'threads',
      'child-process',
      'workerpool',
      'poolifier',
      'worker-threads',
      'bullmq',
    ])
      expect(pages).toContain(`/functions/_parapool_${module}.createPool.html`);
    expect(result.links.length).toBeGreaterThan(pages.length);
  });

  it('opens every page without a console error, a page error or a failed request', () => {
    expect(Object.fromEntries(result.problems)).toEqual({});
  });

  it('has no broken internal link: every linked page and file exists, and every linked anchor is on its page', () => {
    expect(brokenLinks(result)).toEqual([]);
  });

  it("README's links into the site name pages and anchors that exist (after pnpm docs)", async () => {
    const text = await readFile(readme, 'utf8');
    const targets = [...text.matchAll(/\]\(apps\/docs\/site\/([^)#\s]+)(?:#([^)\s]+))?\)/g)].map((m) => ({
      path: `/${m[1]}`,
      hash: m[2] ?? '',
    }));
    expect(targets.length).toBeGreaterThan(20);
    const missing = targets.filter(
      (t) => !result.pages.get(t.path) || (t.hash && !result.pages.get(t.path)?.has(t.hash)),
    );
    expect(missing).toEqual([]);
  });

  for (const [file, path, text] of [
    ['landing.png', '/index.html', 'parapool API reference'],
    ['create-pool-core.png', '/functions/_parapool_core.createPool.html', 'inline'],
    ['create-pool-piscina.png', '/functions/_parapool_piscina.createPool.html', 'piscina'],
  ] as const) {
    it(`shows ${path} with its text, screenshot in apps/docs/screenshots/${file}`, async () => {
      const page = await browser.newPage();
      const watch = watchPage(page);
      try {
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(server.origin + path, { waitUntil: 'load', timeout: 120_000 });
        await page.waitForFunction(NAVIGATION_BUILT, { timeout: 120_000, polling: 100 });
        const title = await page.$eval('.tsd-page-title h1, .tsd-panel h1, h1', (h) => h.textContent ?? '');
        const body = await page.$eval('body', (b) => b.textContent ?? '');
        expect(title.length).toBeGreaterThan(0);
        expect(body).toContain(text);
        await page.screenshot({ path: `${shots}${file}`, fullPage: false });
        expect((await stat(`${shots}${file}`)).size).toBeGreaterThan(10_000);
        expect(watch.problems).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
