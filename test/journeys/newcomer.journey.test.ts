/**
 * The newcomer's first ten minutes (issue 25): `npm start` on a fresh folder, the front page
 * in a browser, and each person the banner names — a member, a cell secretary, a member of the
 * town's committee, an editor — reached from the banner alone, at 1366 px and at 390 px.
 * Screenshots are kept in test/journeys/artifacts/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  consoleFromChat,
  type DemoService,
  newPage,
  pressConsoleSignIn,
  screenshot,
  sidewaysOverflow,
  startDemoService,
} from './harness/demo-service.ts';
import { describeJourney, launchChromium, OFFICE_PC, PHONE } from './harness/journey.ts';

describeJourney(
  'a newcomer follows the README and the banner',
  () => {
    let demo: DemoService;
    let browser: Browser;
    beforeAll(async () => {
      [demo, browser] = await Promise.all([startDemoService(), launchChromium()]);
    }, 300_000);
    afterAll(async () => {
      await browser?.close();
      await demo?.stop();
    });

    it('the banner stands apart and names four people with their units and links', () => {
      expect(demo.banner).toMatch(/═{78}\n {2}Sổ tay Đảng viên — dịch vụ bot đang chạy/);
      expect(demo.people.map((p) => p.role)).toEqual([
        'Đảng viên',
        'Bí thư chi bộ',
        'Cấp ủy viên (Đảng ủy Thị trấn)',
        'Biên tập tài liệu cho Trợ lý ảo',
      ]);
      for (const p of demo.people) {
        expect(p.name).toMatch(/^\p{Lu}\p{Ll}+( \p{Lu}\p{Ll}*)+$/u);
        expect(p.chat).toContain('/chat?code=');
      }
      expect(demo.people[0].unit).toBe('Chi bộ Khu phố 1');
      expect(demo.people[2].unit).toMatch(/^Đảng bộ Thị trấn Hòa Bình/);
      expect(demo.people.slice(1).every((p) => p.console?.includes('/console/login/'))).toBe(true);
    });

    it('/ is a page leading to the web chat, the console and the API docs, on a phone too', async () => {
      for (const [size, viewport] of [
        ['1366', OFFICE_PC],
        ['390', PHONE],
      ] as const) {
        const page = await newPage(browser, viewport);
        const res = await page.goto(`${demo.service.baseUrl}/`);
        expect(res?.status()).toBe(200);
        expect(await sidewaysOverflow(page)).toBe(0);
        await screenshot(page, `newcomer-front-${size}`);
        await page.getByRole('link', { name: 'Tài liệu API' }).click();
        await page.waitForURL(/\/docs/);
        await page.goBack();
        await page.getByRole('link', { name: 'Trang quản trị' }).click();
        // Without a session the console says how to get in, as a page.
        expect(await page.textContent('main')).toContain('nhắn “quản trị” cho bot');
        await page.goto(`${demo.service.baseUrl}/khong-co-trang-nay`);
        expect(await page.textContent('main')).toContain('Không tìm thấy trang');
        await page.context().close();
      }
    });

    it('the member opens her web chat and asks the assistant', async () => {
      const page = await newPage(browser, PHONE);
      await page.goto(demo.people[0].chat);
      await page.locator('#text').waitFor();
      await page.fill('#text', 'thủ tục kết nạp đảng viên');
      await page.press('#text', 'Enter');
      await page
        .getByText(/Tài liệu mẫu: Các bước kết nạp đảng viên/)
        .first()
        .waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, 'newcomer-member-chat-390');
      await page.context().close();
    });

    it('the secretary, the committee member and the editor each reach their console view', async () => {
      const [, secretary, committee, editor] = demo.people;
      // The secretary through her one-time console link.
      let page = await newPage(browser, OFFICE_PC);
      await page.goto(secretary.console!);
      await pressConsoleSignIn(page);
      expect(await page.textContent('main')).toContain('Bí thư chi bộ — Chi bộ Khu phố 1');
      await screenshot(page, 'newcomer-secretary-home-1366');
      await page.context().close();
      // The committee member as the README says once a link has lapsed: "quản trị" in the web chat.
      page = await newPage(browser, OFFICE_PC);
      await consoleFromChat(page, demo.service.baseUrl, committee.chat);
      await page
        .getByRole('link', { name: /^Đảng bộ Thị trấn Hòa Bình/ })
        .first()
        .click();
      await page.getByRole('heading', { name: /^Đảng bộ Thị trấn Hòa Bình/ }).waitFor();
      expect(await page.textContent('main')).toContain('Xếp hạng đơn vị trực thuộc');
      await screenshot(page, 'newcomer-committee-dashboard-1366');
      await page.context().close();
      // The editor lands on the documents page for the assistant.
      page = await newPage(browser, PHONE);
      await page.goto(editor.console!);
      await pressConsoleSignIn(page);
      await page.getByRole('link', { name: 'tài liệu cho Trợ lý ảo' }).first().click();
      await page.waitForURL(/\/knowledge$/);
      expect(await page.textContent('main')).toMatch(/Tải tài liệu|tài liệu/i);
      await screenshot(page, 'newcomer-editor-knowledge-390');
      await page.context().close();
    });
  },
  { timeout: 300_000 },
);
