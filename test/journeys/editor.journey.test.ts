/**
 * Issue 25 point 4, the editor's day, in a real browser (Debian's Chromium driven by
 * playwright-core): an editor signs in to the console, uploads a document with a title and
 * watches its progress, a member's question is answered from it (cited by that title), she
 * reviews the unanswered questions and teaches one, sees the documents of the units beneath
 * hers, and withdraws the document — after which it answers nothing.
 * Skipped, saying so, when chromium is not installed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeMember, makeMemberToken, makeOrgTree, makeUserWithRole } from '../factories/index.ts';
import { startServiceWithBots, type Running } from '../support/bot-harness.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { ensureMemberPrincipal } from '../../api/auth/principal.ts';
import { grantRole } from '../../api/auth/roles.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { refreshTermStats } from '../../knowledge/store.ts';
import type { Deps } from '../../api/context.ts';
import { describeJourney, launchChromium } from './harness/journey.ts';

const TITLE = 'Hướng dẫn tiếp nhận đảng viên chuyển sinh hoạt đến';
const DOCUMENT =
  'Điều 1. Tiếp nhận đảng viên chuyển đến\n' +
  '1. Đảng viên chuyển sinh hoạt đến nộp giấy giới thiệu cho bí thư chi bộ trong 30 ngày.\n' +
  '2. Chi bộ giới thiệu đảng viên mới với chi bộ tại buổi sinh hoạt gần nhất.\n';

describeJourney('an editor’s day in the console', () => {
  let t: TestDb;
  let deps: Deps;
  let svc: Running;
  let browser: Browser;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;
  let editorCode: string;
  let memberToken: string;

  beforeAll(async () => {
    t = await createTestDb();
    deps = testDeps(t.db);
    tree = await makeOrgTree(t.db);
    await loadSampleDocuments(t.db, assistant().embedder);
    // A commune's own document: the province's editor sees it listed with its unit.
    await ingestFile(
      t.db,
      assistant().embedder,
      'lich-truc-xa.md',
      Buffer.from('---\nid: lich-truc\ntitle: Lịch trực của Đảng ủy xã\n---\n### Điều 1. Trực\nTrực thứ bảy.'),
      { visibilityOrgId: tree.commune.id, orgId: tree.commune.id },
    );
    await refreshTermStats(t.db);
    const editor = await makeMember(t.db, tree.cellB, { fullName: 'Phạm Thị Biên' });
    await grantRole(t.db, (await ensureMemberPrincipal(t.db, editor.id)).id, tree.province.id, 'editor');
    const admin = await makeUserWithRole(t.db, tree.province, 'admin');
    editorCode = (await issueLinkCode(deps, admin.principal, editor.id)).code;
    memberToken = await makeMemberToken(t.db, await makeMember(t.db, tree.cellA));
    svc = await startServiceWithBots(deps, {}, false);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    await t?.close();
  });

  const ask = async (question: string) =>
    (await (
      await fetch(`${svc.baseUrl}/knowledge/ask`, {
        method: 'POST',
        headers: { authorization: `Bearer ${memberToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ question }),
      })
    ).json()) as { questionId: number; text: string; abstained: boolean; citations: { source: string }[] };

  it('uploads with a title, sees it answer, teaches a question, lists units beneath, withdraws it', async () => {
    const page = await signIn(browser, svc.baseUrl, editorCode);
    await page.goto(`${svc.baseUrl}/console/units/${tree.province.id}/knowledge`);
    // The documents of the units beneath are listed with their unit.
    const commune = page.getByRole('row', { name: /Lịch trực của Đảng ủy xã/ });
    expect(await commune.textContent()).toContain('Đảng bộ xã Thử nghiệm');
    // The form names the files it takes as an office does, not by technical format names.
    expect(await page.locator('#kb-hint').textContent()).toMatch(/^Nhận văn bản Word \(DOCX\), PDF, .*tệp chữ \(TXT\)/);
    expect(await page.locator('#kb-hint').textContent()).not.toMatch(/MARKDOWN|MD,/i);

    await page.fill('#kb-title', TITLE);
    await page.setInputFiles('#kb-file', {
      name: 'tiep-nhan.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(DOCUMENT),
    });
    await page.getByRole('button', { name: 'Tải lên và nạp' }).click();
    // Progress: the bar shows, then the page comes back saying the document is loaded.
    await page.locator('#kb-progress').waitFor();
    await page.getByText('Đã nạp xong tài liệu').waitFor({ timeout: 60_000 });
    await page.getByRole('row', { name: new RegExp(TITLE) }).waitFor();

    const answered = await ask('đảng viên chuyển đến nộp giấy giới thiệu trong bao lâu');
    expect(answered.abstained).toBe(false);
    expect(answered.citations[0].source).toMatch(new RegExp(`^${TITLE} › Điều 1`));

    // A question answered badly is rated 👎, reviewed and taught from the page.
    const poor = 'đảng viên chuyển đến chi bộ thì phải gặp ai trước';
    const { questionId } = await ask(poor);
    const rated = await fetch(`${svc.baseUrl}/knowledge/questions/${questionId}/rating`, {
      method: 'POST',
      headers: { authorization: `Bearer ${memberToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rating: -1 }),
    });
    expect(rated.status).toBe(200);
    await page.goto(`${svc.baseUrl}/console/units/${tree.province.id}/questions?filter=poor`);
    const row = page.getByRole('row', { name: new RegExp(poor) });
    await row.getByRole('combobox').selectOption({ label: `Điều 1. Tiếp nhận đảng viên chuyển đến — ${TITLE}` });
    await row.getByRole('button', { name: 'Dạy Trợ lý ảo' }).click();
    await page.getByText('Đã dạy Trợ lý ảo').waitFor();
    const taught = await ask('chuyển đến chi bộ thì đảng viên phải gặp ai trước');
    expect(taught.abstained).toBe(false);
    expect(taught.citations[0].source).toMatch(new RegExp(`^${TITLE}`));

    // Withdrawn, it answers nothing any more.
    await page.goto(`${svc.baseUrl}/console/units/${tree.province.id}/knowledge`);
    await page.getByRole('button', { name: `Rút tài liệu ${TITLE}` }).click();
    await page.getByText('Đã rút tài liệu').waitFor();
    expect(await page.getByRole('row', { name: new RegExp(TITLE) }).count()).toBe(0);
    const after = await ask('đảng viên chuyển đến nộp giấy giới thiệu trong bao lâu');
    expect(JSON.stringify(after)).not.toContain(TITLE);
  });
});

/** Web chat with the link code → "quan tri" → the console link → the sign-in button. */
async function signIn(browser: Browser, baseUrl: string, code: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  await page.goto(`${baseUrl}/chat?code=${code}`);
  await page.getByText('Đồng chí chọn việc bên dưới').waitFor();
  await page.fill('#text', 'quan tri');
  await page.press('#text', 'Enter');
  const link = page.getByRole('link', { name: 'Mở trang quản trị' });
  await link.waitFor();
  await page.goto(`${baseUrl}${new URL((await link.getAttribute('href'))!).pathname}`);
  await page.getByRole('button', { name: 'Vào trang quản trị' }).click();
  await page.getByRole('heading', { name: /Xin chào đồng chí/ }).waitFor();
  return page;
}
