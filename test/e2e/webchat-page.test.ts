/**
 * The web chat page in a real browser (Debian's Chromium driven by playwright-core): sign in
 * with the one-time link, then help, the main menu and a vote by pressing large buttons — with
 * the keyboard too —, the "Chữ lớn" setting remembered, and the page readable 320 pixels wide.
 * Screenshots at 390 px (a common phone width) of help, the main menu and a vote; set
 * UPDATE_SCREENSHOT=1 to refresh the ones in docs/ that the guide and the README show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import type { Deps } from '../../api/context.ts';
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
  let deps: Deps;
  let svc: Running;
  let browser: Browser;
  let sec: Awaited<ReturnType<typeof makeSecretary>>;
  let secB: Awaited<ReturnType<typeof makeSecretary>>;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;
  const shots = process.env.UPDATE_SCREENSHOT ? 'docs' : fs.mkdtempSync(path.join(os.tmpdir(), 'webchat-'));

  beforeAll(async () => {
    t = await createTestDb();
    deps = testDeps(t.db);
    tree = await makeOrgTree(t.db);
    sec = await makeSecretary(t.db, tree.cellA);
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'hybrid',
      place: 'Hội trường',
    });
    await openMeeting(deps, sec.principal, meeting.id);
    await openMotion(deps, sec.principal, {
      meetingId: meeting.id,
      kind: 'resolution',
      title: 'Thông qua nghị quyết tháng 5',
    });
    // Chi bộ B meets online and votes by secret ballot.
    secB = await makeSecretary(t.db, tree.cellB);
    const meetingB = await scheduleMeeting(deps, secB.principal, {
      cellId: tree.cellB.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'online',
    });
    await openMeeting(deps, secB.principal, meetingB.id);
    await openMotion(deps, secB.principal, {
      meetingId: meetingB.id,
      kind: 'question',
      title: 'Biểu quyết kín về nhân sự',
      ballot: 'secret',
    });
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

  async function signedIn(name: string, width = 390, cell: 'A' | 'B' = 'A'): Promise<Page> {
    const member = await makeMember(t.db, cell === 'A' ? tree.cellA : tree.cellB, { fullName: name });
    const { code } = await issueLinkCode(deps, (cell === 'A' ? sec : secB).principal, member.id);
    const page = await browser.newPage({ viewport: { width, height: 844 } });
    await page.goto(`${svc.baseUrl}/chat?code=${code}`);
    await page.getByText('Đồng chí chọn việc bên dưới').waitFor();
    return page;
  }
  const shoot = async (page: Page, name: string) => {
    const png = await page.screenshot({ fullPage: false });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    fs.writeFileSync(path.join(shots, name), png);
  };

  it('a member signs in and, by buttons alone, sees help, the main menu after an action, and votes', async () => {
    const page = await signedIn('Nguyễn Thị Lan');
    expect(await page.textContent('#who')).toBe('Nguyễn Thị Lan');
    expect(page.url()).toBe(`${svc.baseUrl}/chat`); // the code left the address bar
    const menu = page.getByRole('group', { name: 'Menu chính' }).last();
    for (const label of ['Lịch họp', 'Điểm danh', 'Biểu quyết', 'Thông báo mới', 'Hỏi Trợ lý ảo', 'Phản ánh'])
      await menu.getByRole('button', { name: label }).waitFor();
    // Large enough to tap: at least 44 px high (WCAG 2.5.5).
    const box = (await menu.getByRole('button', { name: 'Điểm danh' }).boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    await shoot(page, 'web-chat-help.png');

    // The keyboard reaches the buttons: focus one, press Enter.
    await menu.getByRole('button', { name: 'Điểm danh' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('✅ Đồng chí đã điểm danh.').waitFor();
    await page.getByRole('group', { name: 'Menu chính' }).nth(1).waitFor();
    await shoot(page, 'web-chat-menu.png');

    await page.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Biểu quyết' }).click();
    const ballot = page.getByRole('group', { name: 'Lựa chọn' }).last();
    await ballot.getByRole('button', { name: 'Tán thành', exact: true }).waitFor();
    await shoot(page, 'web-chat-vote.png');
    await ballot.getByRole('button', { name: 'Tán thành', exact: true }).click();
    await page.getByText('Đã ghi nhận phiếu: Tán thành.').waitFor();
  });

  /** What the conversation says, without the buttons (which name every choice to everyone). */
  const conversationText = (page: Page) =>
    page.$$eval('#log .msg', (msgs) =>
      msgs
        .map((m) => {
          const copy = m.cloneNode(true) as HTMLElement;
          for (const g of copy.querySelectorAll('[role=group]')) g.remove();
          return copy.textContent ?? '';
        })
        .join('\n'),
    );

  it('a secret ballot, pressed or typed, leaves no choice on screen: the member sees "Đã bỏ phiếu kín"', async () => {
    const page = await signedIn('Trần Văn Kín', 390, 'B');
    await page.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Điểm danh' }).click();
    await page.getByText('✅ Đồng chí đã điểm danh.').waitFor();
    await page.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Biểu quyết' }).click();
    const ballot = page.getByRole('group', { name: 'Lựa chọn' }).last();
    await ballot.getByRole('button', { name: 'Không tán thành', exact: true }).click();
    // Encrypted in the browser first (issue 28): cast, and the service names the tracker.
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).click();
    await page.getByText(/Mã phiếu của đồng chí: [A-Z2-9]{5}-[A-Z2-9]{5}/).waitFor();
    const pressed = await conversationText(page);
    expect(pressed).toContain('Đã bỏ phiếu kín');
    expect(pressed).not.toContain('Không tán thành');

    // A browser that cannot encrypt (here the script never arrives): the server encrypts, as on
    // Telegram and Zalo, and the member is told so in one line.
    const member = await makeMember(t.db, tree.cellB, { fullName: 'Đỗ Văn Máy Cũ' });
    const { code } = await issueLinkCode(deps, secB.principal, member.id);
    const old = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await old.route('**/chat/ballot.js', (r) => r.abort());
    await old.goto(`${svc.baseUrl}/chat?code=${code}`);
    await old.getByText('Đồng chí chọn việc bên dưới').waitFor();
    await old.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Điểm danh' }).click();
    await old.getByText('✅ Đồng chí đã điểm danh.').waitFor();
    await old.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Biểu quyết' }).click();
    const choices = old.getByRole('group', { name: 'Lựa chọn' }).last();
    await choices.getByRole('button', { name: 'Tán thành', exact: true }).click();
    await old.getByText(/Mã phiếu của đồng chí: [A-Z2-9]{5}-[A-Z2-9]{5}/).waitFor();
    const fallback = await conversationText(old);
    expect(fallback).toContain('Trình duyệt này không mã hóa được phiếu; máy chủ mã hóa phiếu thay đồng chí');
    expect(fallback).toContain('Đã bỏ phiếu kín');

    // Typed: the member's own words are replaced once the ballot is taken.
    const typing = await signedIn('Lê Thị Gõ Phím', 390, 'B');
    await typing.getByRole('group', { name: 'Menu chính' }).last().getByRole('button', { name: 'Điểm danh' }).click();
    await typing.getByText('✅ Đồng chí đã điểm danh.').waitFor();
    await typing.fill('#text', 'bieuquyet không tán thành');
    await typing.keyboard.press('Enter');
    await typing.getByText(/Mã phiếu của đồng chí: [A-Z2-9]{5}-[A-Z2-9]{5}/).waitFor();
    const typed = await conversationText(typing);
    expect(typed).toContain('Đã bỏ phiếu kín');
    expect(typed).not.toMatch(/không tán thành/i);
  });

  it('remembers the large-text setting, and reads at 320 pixels without sideways scrolling', async () => {
    const page = await signedIn('Phạm Văn Chữ To', 320);
    const toggle = page.getByRole('button', { name: /Chữ lớn/ });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const before = await page.evaluate(() => getComputedStyle(document.body).fontSize);
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await page.getByText('Đồng chí chọn việc bên dưới').waitFor();
    const after = await page.evaluate(() => getComputedStyle(document.body).fontSize);
    expect(Number.parseFloat(after)).toBeGreaterThan(Number.parseFloat(before));
    expect(await page.getByRole('button', { name: /Chữ lớn/ }).getAttribute('aria-pressed')).toBe('true');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(320);
    // Every button has a name a screen reader can say; the conversation is a live log.
    const unnamed = await page.$$eval('button', (bs) => bs.filter((b) => !b.textContent?.trim()).length);
    expect(unnamed).toBe(0);
    expect(await page.getAttribute('#log', 'role')).toBe('log');
  });
});
