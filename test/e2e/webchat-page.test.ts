/**
 * The web chat page in a real browser (Debian's Chromium driven by playwright-core): sign
 * in with the one-time link, ask for help typed without diacritics, press a button.
 * Set UPDATE_SCREENSHOT=1 to refresh docs/web-chat.png for the guide.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { startServiceWithBots, type Running } from '../support/bot-harness.ts';

const chromiumPath = (() => {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

describe.runIf(chromiumPath)('web chat page in Chromium', () => {
  let t: TestDb;
  let svc: Running;
  let browser: Browser;
  let code: string;

  beforeAll(async () => {
    t = await createTestDb();
    const deps = testDeps(t.db);
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA);
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Nguyễn Thị Lan' });
    code = (await issueLinkCode(deps, sec.principal, member.id)).code;
    svc = await startServiceWithBots(deps, {}, false);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    await t?.close();
  });

  it('signs in with the link and answers commands typed without diacritics', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 760 } });
    await page.goto(`${svc.baseUrl}/chat?code=${code}`);
    await page.getByText('/diemdanh').first().waitFor();
    expect(await page.textContent('#who')).toBe('Nguyễn Thị Lan');
    expect(page.url()).toBe(`${svc.baseUrl}/chat`); // the code left the address bar
    await page.fill('#text', 'thong bao');
    await page.press('#text', 'Enter');
    await page.getByText('Chưa có thông báo nào').waitFor();
    if (process.env.UPDATE_SCREENSHOT)
      fs.writeFileSync('docs/web-chat.png', await page.screenshot({ fullPage: false }));
  });
});
