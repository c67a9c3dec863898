/**
 * The committee member's month (issue 25): signs in from chat, reads the town's dashboard,
 * drills down to a cell, finds the units below target and the cells that did not meet, and
 * downloads the "Báo cáo sơ kết" and the tables — read back as the committee office reads them.
 * Chromium at 1366 px and 390 px; screenshots in test/journeys/artifacts/.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  consoleFromChat,
  type DemoService,
  newPage,
  screenshot,
  sidewaysOverflow,
  startDemoService,
} from './harness/demo-service.ts';
import { ARTIFACTS, describeJourney, launchChromium, OFFICE_PC, PHONE } from './harness/journey.ts';

describeJourney(
  "the committee member's month",
  () => {
    let demo: DemoService;
    let browser: Browser;
    let page: Page;
    let townUrl = '';
    let cellUrl = '';
    beforeAll(async () => {
      [demo, browser] = await Promise.all([startDemoService(), launchChromium()]);
      page = await newPage(browser, OFFICE_PC);
      const committee = demo.people.find((p) => p.role.startsWith('Cấp ủy viên'))!;
      await consoleFromChat(page, demo.service.baseUrl, committee.chat);
    }, 300_000);
    afterAll(async () => {
      await browser?.close();
      await demo?.stop();
    });

    const main = async () => (await page.textContent('main')) ?? '';

    it('reads the dashboard, the units below target, and drills down to a cell', async () => {
      await page
        .getByRole('link', { name: /^Đảng bộ Thị trấn Hòa Bình/ })
        .first()
        .click();
      await page.getByRole('heading', { name: /^Đảng bộ Thị trấn Hòa Bình/ }).waitFor();
      townUrl = page.url();
      const text = await main();
      expect(text).toMatch(/Đảng viên\s*303/);
      expect(text).toContain('Hoạt động 30 ngày: số đảng viên tự thực hiện');
      expect(text).toMatch(/Đơn vị dưới mục tiêu 90 %: .*Chi bộ Khu phố 1/);
      // The excluded police cell is named with its reason, not counted.
      expect(text).toContain('Chi bộ Công an Thị trấn — 17 đảng viên');
      await screenshot(page, 'committee-dashboard-1366');
      await page.getByRole('link', { name: 'Chi bộ Khu phố 1' }).first().click();
      await page.getByRole('heading', { name: 'Chi bộ Khu phố 1' }).waitFor();
      cellUrl = page.url();
      expect(await main()).toMatch(/Đảng viên\s*38/);
      await screenshot(page, 'committee-cell-1366');
    });

    it('finds the cells that did not meet this month', async () => {
      await page.goto(`${townUrl}/meetings`);
      const text = await main();
      expect(text).toMatch(/Chi bộ chưa họp\s*12/);
      expect(text.match(/Chưa có buổi sinh hoạt nào được đóng trên nền tảng trong tháng/g)).toHaveLength(12);
      expect(text).toContain('Không tính: Chi bộ Công an Thị trấn');
      expect(text).not.toContain('.).');
      // Cells in the Vietnamese alphabet's order: "Trạm" before "Trường" (ạ is an a).
      expect(text.indexOf('Chi bộ Trạm Y tế')).toBeLessThan(text.indexOf('Chi bộ Trường THCS Thị trấn'));
      await screenshot(page, 'committee-meetings-1366');
    });

    it('downloads the Báo cáo sơ kết and reads it as the office does', async () => {
      await page.goto(townUrl);
      await page.fill('#rp-number', '7');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Tải báo cáo (DOCX)' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^bao-cao-so-ket-thang-\d{2}-\d{4}\.docx$/);
      const saved = `${ARTIFACTS}/committee-report.docx`;
      await file.saveAs(saved);
      const lines = (await mammoth.extractRawText({ path: saved })).value.split('\n').filter((l) => l.trim());
      fs.writeFileSync(`${ARTIFACTS}/committee-report.txt`, lines.join('\n'));
      expect(lines.slice(0, 4)).toEqual(['ĐẢNG BỘ TỈNH MẪU', 'ĐẢNG ỦY THỊ TRẤN HÒA BÌNH', '*', 'Số 7-BC/ĐU']);
      expect(lines.find((l) => l.includes(', ngày '))).toMatch(/^Hòa Bình, ngày \d{2} tháng \d{2} năm \d{4}$/);
      const total = lines.indexOf('Cộng');
      // 303 members in the deployed cells; one linked account: the committee member's own web chat.
      expect(lines.slice(total, total + 3)).toEqual(['Cộng', '303', '1']);
      const committee = demo.people.find((p) => p.role.startsWith('Cấp ủy viên'))!;
      const sign = lines.indexOf('T/M ĐẢNG ỦY');
      expect(lines.slice(sign, sign + 3)).toEqual(['T/M ĐẢNG ỦY', 'BÍ THƯ', committee.name]);
      expect(lines.join('\n')).not.toMatch(/\(demo\)|………|principal|undefined|NaN/);
    });

    it('downloads the ranking as XLSX and CSV with every unit', async () => {
      await page.goto(townUrl);
      const xlsx = page.waitForEvent('download');
      await page.getByRole('link', { name: 'XLSX' }).first().click();
      const xlsxPath = `${ARTIFACTS}/committee-units.xlsx`;
      await (await xlsx).saveAs(xlsxPath);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(xlsxPath);
      const names: string[] = [];
      book.worksheets[0].eachRow((row, i) => {
        if (i > 1) names.push(String(row.getCell(1).value));
      });
      expect(names).toHaveLength(13);
      expect(names).toContain('Chi bộ Khu phố 1');
    });

    it('on a phone the dashboard, the cell and the meetings fit 390 px without sideways scrolling', async () => {
      const phone = await newPage(browser, PHONE);
      const cookies = await page.context().cookies();
      await phone.context().addCookies(cookies);
      const widths: Record<string, number> = {};
      for (const [name, url] of [
        ['dashboard', townUrl],
        ['cell', cellUrl],
        ['meetings', `${townUrl}/meetings`],
      ] as const) {
        await phone.goto(url);
        widths[name] = await sidewaysOverflow(phone);
        await screenshot(phone, `committee-${name}-390`);
      }
      fs.writeFileSync(`${ARTIFACTS}/committee-overflow-390.json`, JSON.stringify(widths));
      expect(widths).toEqual({ dashboard: 0, cell: 0, meetings: 0 });
      expect(await phone.textContent('main')).toContain('Chi bộ chưa họp');
      await phone.context().close();
    });
  },
  { timeout: 300_000 },
);
