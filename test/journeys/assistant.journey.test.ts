/**
 * Issue 29's "done when": a new member on the fresh demo (the three sample documents loaded)
 * asks the issue's quoted questions through the web chat in a real browser (Debian's Chromium
 * driven by playwright-core) and each is answered from the right article — or, when the
 * assistant is not sure, offered the articles by title and answered from the one pressed. An
 * editor's upload without a title is cited by its first heading, never its file name.
 * Skipped, saying so, when chromium is not installed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeMember, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { startServiceWithBots, type Running } from '../support/bot-harness.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { DID_YOU_MEAN, NOT_FOUND } from '../../knowledge/answer.ts';
import type { Deps } from '../../api/context.ts';
import { describeJourney, launchChromium } from './harness/journey.ts';

const FEES = /^Theo Tài liệu mẫu: Đóng đảng phí hằng tháng › Điều 2( › khoản \d)?:/;
const DISCLAIMER = /soạn riêng cho bản demo/;

describeJourney('a new member asks the Trợ lý ảo through the web chat', () => {
  let t: TestDb;
  let deps: Deps;
  let svc: Running;
  let browser: Browser;
  let page: Page;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;

  beforeAll(async () => {
    t = await createTestDb();
    deps = testDeps(t.db);
    tree = await makeOrgTree(t.db);
    // As `npm start` does on a fresh data folder: the samples, with the service's own embedder.
    expect(await loadSampleDocuments(t.db, assistant().embedder)).toBe(3);
    const sec = await makeSecretary(t.db, tree.cellA);
    svc = await startServiceWithBots(deps, {}, false);
    browser = await launchChromium();
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Trần Thị Hỏi' });
    const { code } = await issueLinkCode(deps, sec.principal, member.id);
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${svc.baseUrl}/chat?code=${code}`);
    await page.getByText('Đồng chí chọn việc bên dưới').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    await t?.close();
  });

  it('answers the quoted questions from the right article', async () => {
    for (const q of ['đảng phí bao nhiêu', 'dang phi bao nhieu', 'muc dong dang phi']) {
      const answer = await ask(page, q);
      expect(answer, q).toMatch(FEES);
      expect(answer, q).toMatch(/\d% (tiền lương|lương hưu)/);
      expect(answer, q).not.toMatch(DISCLAIMER);
    }
    const steps = await ask(page, 'thủ tục kết nạp đảng viên');
    expect(steps).toMatch(/^Theo Tài liệu mẫu: Các bước kết nạp đảng viên tại chi bộ › Chương II › Điều 3:/);
    expect(steps).toMatch(/1\. Bí thư chi bộ[\s\S]*3\. Chi bộ gửi nghị quyết/);
    const papers = await ask(page, 'ho so xin vao dang gom nhung gi');
    expect(papers).toMatch(/› Điều 2:\s*«Điều 2\. Hồ sơ cần chuẩn bị/);
    expect(papers).toMatch(/a\) Đơn tự nguyện xin vào Đảng[\s\S]*đ\) Ý kiến nhận xét/);
    const vote = await ask(page, 'đảng viên dự bị có được biểu quyết không');
    expect(vote).toMatch(/› Điều 4 › khoản 2:\s*«Điều 4\. Biểu quyết\n2\. Đảng viên dự bị được phát biểu/);
    expect(await ask(page, 'giá vàng hôm nay')).toBe(NOT_FOUND);
  });

  it('not sure, it offers the articles as buttons and answers the one pressed', async () => {
    const offer = await ask(page, 'dang phi dong bao nhieu');
    expect(offer).toBe(DID_YOU_MEAN);
    const choices = page.getByRole('group', { name: 'Lựa chọn' }).last();
    const before = await page.locator('.msg.bot').count();
    await choices.getByRole('button', { name: /^Điều 2\. Mức đóng — / }).click();
    const answer = await nextAnswer(page, before);
    expect(answer).toMatch(FEES);
    expect(answer).toMatch(/\d% (tiền lương|lương hưu)/);
  });

  it('an editor’s upload is cited by its title, not its file name', async () => {
    const editor = (await makeUserWithRole(t.db, tree.province, 'editor')).token;
    const form = new FormData();
    const text =
      'HƯỚNG DẪN\nSinh hoạt chi bộ trực tuyến qua mạng\n\n' +
      'Khi chi bộ sinh hoạt trực tuyến, bí thư gửi đường dẫn phòng họp cho đảng viên trước giờ họp ít nhất ' +
      'một ngày và điểm danh đảng viên bằng mã hiện trên màn hình.';
    form.append('file', new Blob([text], { type: 'text/plain' }), 'huong-dan-sinh-hoat-truc-tuyen.txt');
    const res = await fetch(`${svc.baseUrl}/orgs/${tree.province.id}/knowledge/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
      body: form,
    });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: number };
    for (let i = 0; i < 200; i++) {
      const job = (await (
        await fetch(`${svc.baseUrl}/knowledge/jobs/${jobId}`, { headers: { authorization: `Bearer ${editor}` } })
      ).json()) as { status: string };
      if (job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const answer = await ask(page, 'sinh hoạt chi bộ trực tuyến gửi đường dẫn thế nào');
    expect(answer).toMatch(/^Theo Hướng dẫn sinh hoạt chi bộ trực tuyến qua mạng:/);
    expect(answer).toMatch(/gửi đường dẫn phòng họp/);
    expect(answer).not.toMatch(/huong-dan|huong dan/);
  });
});

/** Types a question in the web chat and returns the text of the bot's answer. */
async function ask(page: Page, question: string): Promise<string> {
  const before = await page.locator('.msg.bot').count();
  await page.fill('#text', question);
  await page.press('#text', 'Enter');
  return nextAnswer(page, before);
}

/** The text of the first bot message after the `before` ones already shown (its buttons left out). */
async function nextAnswer(page: Page, before: number): Promise<string> {
  await page.waitForFunction((n) => document.querySelectorAll('.msg.bot').length > n, before);
  return page
    .locator('.msg.bot')
    .nth(before)
    .evaluate((el) => (el.firstChild?.textContent ?? '').trim());
}
