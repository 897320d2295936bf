/**
 * The real browser every check opens: Debian's `chromium` (or any Chromium or Chrome named by
 * CHROMIUM_PATH), driven by puppeteer-core, which downloads no browser. Headless, with
 * `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to start.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import puppeteer, {
  type Browser,
  type ConsoleMessage,
  type HTTPRequest,
  type HTTPResponse,
  type Page,
} from 'puppeteer-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The browser's executable: CHROMIUM_PATH, or the first of NAMES on PATH; a clear error otherwise. */
export function chromiumPath(): string {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {}
    }
  }
  throw new Error(
    `no Chromium found on PATH (looked for ${NAMES.join(', ')}): install Debian's package ` +
      '(apt-get install -y chromium; .ci/run does it when missing) or set CHROMIUM_PATH to a Chromium or Chrome binary',
  );
}

/** Starts headless Chromium. Its own stderr is not shown (Chromium prints harmless warnings on a machine without GPU or D-Bus). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    // The machine is shared and busy: give it time.
    protocolTimeout: 300_000,
    timeout: 120_000,
  });
}

/** What went wrong inside a page: console errors, uncaught exceptions, failed or refused requests. */
export interface PageProblems {
  readonly problems: string[];
  /** Stops listening (the page stays open, e.g. for the next address). */
  stop(): void;
}

/** Listens to `page` for console errors, page errors and failed requests, collected as text. */
export function watchPage(page: Page): PageProblems {
  const problems: string[] = [];
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  };
  const onPageError = (error: unknown) =>
    problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`);
  const onRequestFailed = (request: HTTPRequest) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
  const onResponse = (response: HTTPResponse) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  page.on('requestfailed', onRequestFailed);
  page.on('response', onResponse);
  return {
    problems,
    stop: () => {
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
      page.off('requestfailed', onRequestFailed);
      page.off('response', onResponse);
    },
  };
}
