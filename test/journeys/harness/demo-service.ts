/**
 * Helpers for journeys that start the demo as a newcomer does (committee, newcomer): the demo service started as a
 * newcomer starts it (`npm start` on a fresh data folder), the people its banner names, Chromium
 * (Debian's, through playwright-core) at a desktop and a phone width, screenshots kept under
 * test/journeys/artifacts/ (git-ignored), and signing in to the console from the web chat.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startService, type RunningService } from '../../support/spawn-service.ts';
import { ARTIFACTS, OFFICE_PC } from './journey.ts';

export interface BannerPerson {
  /** "Đảng viên", "Bí thư chi bộ", "Cấp ủy viên (Đảng ủy Thị trấn)", "Biên tập tài liệu cho Trợ lý ảo". */
  role: string;
  name: string;
  unit: string;
  chat: string;
  console: string | null;
}

export interface DemoService {
  service: RunningService;
  dataDir: string;
  banner: string;
  people: BannerPerson[];
  stop(): Promise<void>;
}

/** `npm start` on a fresh data folder, with the demo, waiting for its banner. */
export async function startDemoService(): Promise<DemoService> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sotay-journey-'));
  const service = await startService({ DATABASE_URL: '', DATA_DIR: dataDir, DEMO: '1' }, /(═{78}[^═]*){3}/, 240_000);
  const banner = service.output();
  return {
    service,
    dataDir,
    banner,
    people: bannerPeople(banner, service.baseUrl),
    async stop() {
      await service.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The people the banner names, with their links pointed at the port the test started (the
 * banner prints the service's public address, http://localhost:<PORT>).
 */
export function bannerPeople(banner: string, baseUrl: string): BannerPerson[] {
  const lines = banner.split('\n');
  const people: BannerPerson[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {2}• ([^:]+): đồng chí (.+?) — (.+)$/.exec(lines[i]);
    if (!m) continue;
    const link = (label: string) => {
      const l = lines.slice(i + 1, i + 3).find((x) => x.trim().startsWith(label));
      const url = l && /(https?:\/\/\S+)/.exec(l)?.[1];
      return url ? baseUrl + new URL(url).pathname + new URL(url).search : null;
    };
    people.push({ role: m[1], name: m[2], unit: m[3], chat: link('Web chat:')!, console: link('Quản trị:') });
  }
  return people;
}

export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number } = OFFICE_PC,
): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'en-US' });
  // Two cores shared with other test runs: a page may take a while; a journey is not a timing test.
  context.setDefaultTimeout(90_000);
  return context.newPage();
}

/** A full-page screenshot kept as an artefact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** How far the page scrolls sideways (0 when it fits the viewport). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** In a web chat opened with its link: "quan tri" → the bot's console link → the sign-in button. */
export async function consoleFromChat(page: Page, baseUrl: string, chatUrl: string): Promise<void> {
  await page.goto(chatUrl);
  await page.locator('#text').waitFor();
  await page.fill('#text', 'quan tri');
  await page.press('#text', 'Enter');
  const link = page.getByRole('link', { name: 'Mở trang quản trị' });
  await link.waitFor();
  await page.goto(baseUrl + new URL((await link.getAttribute('href'))!).pathname);
  await pressConsoleSignIn(page);
}

/** On a console sign-in page: its one button, then the console's home. */
export async function pressConsoleSignIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Vào trang quản trị' }).click();
  await page.getByRole('heading', { name: /Xin chào đồng chí/ }).waitFor();
}
