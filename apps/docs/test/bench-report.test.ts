/**
 * The bench's HTML report as a reader meets it: a real bench run, kept small (the square and
 * crossover workloads on piscina, one timed run a case, --quick sizes: seconds, not the full
 * bench's minutes), writes report.html; it is served on 127.0.0.1 and opened in headless Chromium.
 * The test fails when the page logs an error or a request fails, or when a chart is empty: every
 * chart must have a size and drawn data marks, and each workload's bars must be its measurements.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type PageProblems, watchPage } from './browser.js';
import { type StaticServer, serveFolder } from './serve.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@parapool/bench/package.json')), 'dist', 'cli.js');
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url));
const WORKLOADS = ['square', 'crossover'];

/** What latest.json says of a run, as far as this test reads it. */
interface Results {
  readonly workloads: readonly {
    readonly name: string;
    readonly measurements: readonly { readonly subject: string; readonly method: string; readonly status: string }[];
  }[];
}

/** One chart as the browser drew it. */
interface DrawnChart {
  readonly section: string;
  readonly width: number;
  readonly height: number;
  /** Data marks (bars, line points, lines) with a non-empty drawn box. */
  readonly marks: number;
  readonly bars: number;
}

describe("the bench's HTML report in Chromium", () => {
  let out: string;
  let results: Results;
  let server: StaticServer;
  let browser: Browser;
  let page: Page;
  let watch: PageProblems;
  let charts: DrawnChart[];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'parapool-docs-bench-'));
    const args = ['--quick', '--min-runs', '1', '--max-runs', '1', '--workloads', WORKLOADS.join(',')];
    args.push('--backends', 'piscina', '--processes', '2', '--out', out, '--progress', 'none');
    // Its output is the bench's tables: kept out of the test's, read only on failure.
    await promisify(execFile)(process.execPath, [cli, ...args], { maxBuffer: 64 * 2 ** 20, timeout: 300_000 });
    results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Results;
    await mkdir(shots, { recursive: true });
    server = await serveFolder(out);
    browser = await launchChromium();
    page = await browser.newPage();
    watch = watchPage(page);
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${server.origin}/report.html`, { waitUntil: 'load', timeout: 120_000 });
    charts = await page.$$eval('figure svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const drawn = [...svg.querySelectorAll('.role-mark [role="graphics-symbol"]')].filter((mark) => {
          const b = (mark as SVGGraphicsElement).getBBox();
          return b.width > 0 || b.height > 0;
        });
        return {
          section: svg.closest('section')?.id ?? '',
          width: box.width,
          height: box.height,
          marks: drawn.length,
          bars: drawn.filter((mark) => mark.getAttribute('aria-roledescription') === 'bar').length,
        };
      }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('comes from a real run: every measurement of the chosen workloads succeeded', () => {
    expect(results.workloads.map((w) => w.name)).toEqual(WORKLOADS);
    for (const w of results.workloads) {
      expect(w.measurements.length, w.name).toBeGreaterThan(0);
      expect(w.measurements.filter((m) => m.status !== 'ok')).toEqual([]);
    }
  });

  it('renders its headings, from the decision to the targets', async () => {
    const headings = await page.$$eval('h1, h2', (hs) => hs.map((h) => h.textContent ?? ''));
    expect(headings[0]).toBe('parapool bench');
    expect(headings).toEqual(
      expect.arrayContaining(['Which backend for which work', 'Headline', "The project's targets"]),
    );
  });

  it('draws every chart with a size and data marks: the two headline charts and each workload', () => {
    expect(charts.length).toBeGreaterThanOrEqual(2 + WORKLOADS.length);
    for (const [i, chart] of charts.entries()) {
      expect(chart.width, `chart ${i} (${chart.section || 'headline'}) width`).toBeGreaterThan(100);
      expect(chart.height, `chart ${i} (${chart.section || 'headline'}) height`).toBeGreaterThan(50);
      expect(chart.marks, `chart ${i} (${chart.section || 'headline'}) data marks`).toBeGreaterThan(0);
    }
  });

  it("draws one bar per measurement in each workload's time chart", () => {
    for (const w of results.workloads) {
      const bars = charts.filter((c) => c.section === w.name).reduce((n, c) => n + c.bars, 0);
      expect(bars, w.name).toBe(w.measurements.length);
    }
  });

  it('logs no console error, throws no page error, and every request succeeds; screenshot in apps/docs/screenshots/bench-report.png', async () => {
    await page.screenshot({ path: `${shots}bench-report.png`, fullPage: true });
    expect((await stat(`${shots}bench-report.png`)).size).toBeGreaterThan(10_000);
    expect(watch.problems).toEqual([]);
  });
});
