/**
 * Crawls a site served on `origin` in a real browser: every page reached by an internal link is
 * opened (its scripts run, so links a script builds, like TypeDoc's navigation, count too), and
 * for each page it records the ids anchors can target, the internal links and what went wrong.
 */
import type { Browser, Page } from 'puppeteer-core';
import { watchPage } from './browser.js';

/** One internal link: the page it is on, and where it points (path and fragment). */
export interface Link {
  readonly from: string;
  readonly path: string;
  readonly hash: string;
}

/** What the crawl saw. */
export interface Crawl {
  /** Every page opened, by path, with the ids (and `name`s) in its document once its scripts ran. */
  readonly pages: Map<string, Set<string>>;
  /** Every internal link found on those pages. */
  readonly links: Link[];
  /** Non-HTML targets of links (assets), with their HTTP status. */
  readonly files: Map<string, number>;
  /** Per page: console errors, page errors, failed requests, HTTP errors. */
  readonly problems: Map<string, string[]>;
}

export interface CrawlOptions {
  /** A JavaScript expression that is true once a page has built its links (e.g. its navigation). */
  readonly ready?: string;
  /** Pages open at once. */
  readonly tabs?: number;
}

/** Opens `start` and every internal page linked from it, transitively. */
export async function crawl(
  browser: Browser,
  origin: string,
  start: string,
  options: CrawlOptions = {},
): Promise<Crawl> {
  const pages = new Map<string, Set<string>>();
  const links: Link[] = [];
  const files = new Map<string, number>();
  const problems = new Map<string, string[]>();
  const queued = new Set<string>([start]);
  const queue = [start];

  // Pages being read: a tab with an empty queue waits while another may still find links.
  let busy = 0;
  const visit = async (page: Page, path: string) => {
    const watch = watchPage(page);
    try {
      const response = await page.goto(origin + path, { waitUntil: 'load', timeout: 120_000 });
      if (!response?.ok()) watch.problems.push(`opening the page: HTTP ${response?.status() ?? 'no response'}`);
      if (options.ready) await page.waitForFunction(options.ready, { timeout: 120_000, polling: 100 });
      const seen = await page.evaluate(() => ({
        ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || (e.getAttribute('name') ?? '')),
        hrefs: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
      }));
      pages.set(path, new Set(seen.ids));
      for (const href of seen.hrefs) {
        const url = new URL(href);
        if (url.origin !== origin) continue;
        links.push({ from: path, path: url.pathname, hash: decodeURIComponent(url.hash.slice(1)) });
        if (queued.has(url.pathname)) continue;
        queued.add(url.pathname);
        if (url.pathname.endsWith('.html') || url.pathname.endsWith('/')) queue.push(url.pathname);
        else files.set(url.pathname, (await fetch(origin + url.pathname)).status);
      }
    } catch (error) {
      watch.problems.push(`opening the page: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      watch.stop();
      if (watch.problems.length) problems.set(path, watch.problems);
    }
  };

  // A few tabs at once, a new one for each page (a tab reused for page after page stalled its
  // navigation now and then); the next page comes from the shared queue.
  const tab = async () => {
    for (;;) {
      const path = queue.shift();
      if (path !== undefined) {
        busy++;
        const page = await browser.newPage();
        try {
          await visit(page, path);
        } finally {
          await page.close();
          busy--;
        }
      } else if (busy === 0) return;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: options.tabs ?? 2 }, tab));
  return { pages, links, files, problems };
}

/** The links whose target page or file does not exist, or whose fragment names no id on its page. */
export function brokenLinks(result: Crawl): string[] {
  const broken = new Set<string>();
  for (const link of result.links) {
    const target = link.path + (link.hash ? `#${link.hash}` : '');
    const ids = result.pages.get(link.path);
    const status = result.files.get(link.path);
    if (ids === undefined && status === undefined) broken.add(`${link.from} → ${target}: not visited`);
    else if (status !== undefined && status !== 200) broken.add(`${link.from} → ${target}: HTTP ${status}`);
    else if (ids !== undefined && result.problems.get(link.path)?.some((p) => p.startsWith('opening the page')))
      broken.add(`${link.from} → ${target}: the page did not open`);
    else if (link.hash && ids !== undefined && !ids.has(link.hash))
      broken.add(`${link.from} → ${target}: no such anchor`);
  }
  return [...broken];
}
