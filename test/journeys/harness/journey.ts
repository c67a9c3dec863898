/**
 * The journey tier's harness: the started service (HTTP server, bots, outbox worker) on a test
 * database against the fake Telegram and Zalo servers, and Debian's Chromium (playwright-core)
 * for the people who use the web chat and the console. A journey is written as the person
 * acts — open the chat on a phone, press a button, read what came back — and asserts what the
 * person sees. See test/journeys/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBotHarness, type BotHarness, type BotHarnessOptions } from '../../support/bot-harness.ts';
import { freePort } from '../../support/spawn-service.ts';
import { testDeps } from '../../support/app.ts';

const which = (...names: string[]) => {
  for (const name of names) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {}
  }
  return '';
};

/** Chromium on this machine ('' when there is none: a member's or developer's own computer). */
export const CHROMIUM = which('chromium', 'chromium-browser');
/** pdftotext (poppler-utils), which reads the downloaded PDFs back. */
const PDFTOTEXT = which('pdftotext');

/** Where screenshots go (git-ignored); kept after the run as the journey's artefacts. */
export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/**
 * `describe` for a journey: without Chromium the file reports one skipped test that says why,
 * rather than failing on a machine that cannot run a browser.
 */
export function describeJourney(name: string, body: () => void, options: { timeout?: number } = {}): void {
  if (CHROMIUM && PDFTOTEXT) describe(name, options, body);
  else
    describe(name, () => {
      const missing = [CHROMIUM ? '' : 'Chromium', PDFTOTEXT ? '' : 'pdftotext'].filter(Boolean).join(' and ');
      it.skip(`skipped: ${missing} not found — install Debian’s "chromium" and "poppler-utils" (CI does)`);
    });
}

/** The screen of a device a person uses. */
export const PHONE = { width: 390, height: 844 } as const;
export const OFFICE_PC = { width: 1366, height: 768 } as const;

/** Debian's Chromium, headless, as every journey launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Journey {
  h: BotHarness;
  browser: Browser;
  /** A fresh browser (cookies, storage) on a device of this size. */
  device(screen: { width: number; height: number }): Promise<BrowserContext>;
  /** Script errors of every page opened so far (a journey expects none). */
  pageErrors: string[];
  /** Saves a screenshot as `<journey>/<nn>-<name>.png` in ARTIFACTS; returns its path. */
  shot(page: Page, name: string, fullPage?: boolean): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the service with the fakes and a browser; `name` names the artefacts' folder. The
 * service listens on the port its configuration names, so the links it writes into messages
 * (notice web views, meeting documents, the console) open in the browser as a member's would.
 */
export async function startJourney(
  name: string,
  options: Omit<BotHarnessOptions, 'deps' | 'port'> = {},
): Promise<Journey> {
  const port = await freePort();
  const h = await startBotHarness({
    ...options,
    port,
    deps: (db) => {
      const deps = testDeps(db);
      return { ...deps, config: { ...deps.config, port } };
    },
  });
  const browser = await launchChromium();
  const folder = path.join(ARTIFACTS, name);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  let n = 0;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    h,
    browser,
    pageErrors,
    async device(screen) {
      const context = await browser.newContext({ viewport: screen, acceptDownloads: true, locale: 'vi-VN' });
      context.on('page', (page) => {
        page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
        page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${page.url()}: ${m.text()}`));
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context;
    },
    async shot(page, shotName, fullPage = false) {
      const file = path.join(folder, `${String(++n).padStart(2, '0')}-${shotName}.png`);
      await page.screenshot({ path: file, fullPage });
      return file;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await h.close();
    },
  };
}

/**
 * The widest element that sticks out of the page at its current width (text cut off or a
 * sideways scroll on a phone), or null when everything fits.
 */
export async function overflowing(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) return `${el.tagName.toLowerCase()}: ${el.textContent?.slice(0, 60)}`;
    }
    return document.documentElement.scrollWidth > width + 1 ? 'the page scrolls sideways' : null;
  });
}
