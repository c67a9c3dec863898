/**
 * Notices and feedback end to end: publishing to a subtree through the API, delivery through
 * the outbox worker to a fake Telegram, the web view, "Đã đọc", statistics, scheduled
 * publication, reminders, and feedback answered back in chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import type { TestDb } from '../support/db.ts';
import { TestClock, testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrg, makeOrgTree, makeSecretary, makeUserWithRole } from '../factories/index.ts';
import { runDueNoticeJobs } from '../../api/notices/manage-notice.ts';
import type { Deps } from '../../api/context.ts';
import {
  startBotHarness,
  telegramDriver,
  waitFor,
  type BotHarness,
  type FakeTelegram,
  type Running,
} from '../support/bot-harness.ts';

const TG = '777:NOTICES';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let svc: Running;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let committee: string;
const clock = new TestClock(new Date());

beforeAll(async () => {
  h = await startBotHarness({ telegram: [TG], deps: (db) => testDeps(db, clock) });
  ({ t, deps, telegram, svc } = h);
  tree = await makeOrgTree(t.db);
  committee = (await makeUserWithRole(t.db, tree.commune, 'committee')).token;
});
afterAll(async () => {
  await h?.close();
});

const publish = (org: number, body: object, token = committee) =>
  svc.app.inject({
    method: 'POST',
    url: `/orgs/${org}/notices`,
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });
const noticeCount = async () => (await t.db.query<{ n: number }>(`select count(*)::int n from notices`))[0].n;

describe('publishing and delivery', () => {
  it('a commune notice reaches every linked member beneath, with a personal web link and a read button', async () => {
    const a = await makeMember(t.db, tree.cellA);
    const b = await makeMember(t.db, tree.cellB);
    const p = await makeMember(t.db, tree.cellB, {
      status: 'probationary',
      admittedOn: '2026-01-01',
      officialOn: null,
    });
    await linkChat(t.db, a, 'telegram', '8001', 'telegram');
    await linkChat(t.db, b, 'telegram', '8002', 'telegram');
    await linkChat(t.db, p, 'telegram', '8003', 'telegram');
    const long = Array.from(
      { length: 40 },
      (_, i) => `Đoạn ${i + 1}: nội dung thông báo nội bộ tháng 3 về **công tác đảng**.`,
    ).join('\n\n');
    const res = await publish(tree.commune.id, {
      kind: 'notice',
      title: 'Thông báo nội bộ tháng 3',
      body: long,
      ackDueOn: '2026-12-31',
    });
    expect(res.statusCode).toBe(201);
    const notice = res.json();
    expect(notice.recipients).toBeGreaterThanOrEqual(3);
    const [msg] = await telegram.waitForSent(8001);
    expect(msg.text).toContain('Thông báo: Thông báo nội bộ tháng 3');
    expect(msg.text).not.toContain('**');
    expect(msg.text!.length).toBeLessThanOrEqual(4096);
    expect(msg.replyMarkup?.inline_keyboard?.flat()[0].text).toBe('Đã đọc');
    const link = /🔗 .*: (http\S+)/.exec(msg.text!)![1];
    const page = await fetch(link.replace(/^http:\/\/localhost:\d+/, svc.baseUrl));
    const html = await page.text();
    expect(html).toContain('<strong>công tác đảng</strong>');
    expect(html).not.toContain('<script');
    // The read button works without JavaScript: a plain form post.
    const read = await fetch(`${link.replace(/^http:\/\/localhost:\d+/, svc.baseUrl)}/read`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(read.status).toBe(303);
    const forged = await fetch(
      link.replace(/^http:\/\/localhost:\d+/, svc.baseUrl).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    expect(forged.status).toBe(403);

    // Acknowledging from Telegram with the button.
    const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
    await telegram.waitForSent(8002);
    const pressed = telegram.callbackUpdate({ fromId: 8002, data: `dadoc:${notice.id}` });
    telegram.pushUpdate(TG, pressed);
    await telegram.waitForSent(8002, 2);
    expect(telegram.sentTo(8002).at(-1)!.text).toContain('đã đọc');
    expect((await tg.say({ id: '8003' }, 'da doc')).join()).toContain('Đã ghi nhận');

    const stats = (
      await svc.app.inject({ url: `/notices/${notice.id}/stats`, headers: { authorization: `Bearer ${committee}` } })
    ).json();
    expect(stats.totals).toMatchObject({ read: 3, failed: 0 });
    expect(stats.units.map((u: { cellName: string }) => u.cellName).sort()).toEqual(['Chi bộ A', 'Chi bộ B']);
  });

  it('narrows to official members; a cell notice stays in the cell', async () => {
    const res = await publish(tree.cellB.id, {
      kind: 'study',
      title: 'Học tập nghị quyết',
      body: 'Tài liệu.',
      officialOnly: true,
    });
    const recipients = await t.db.query<{ status: string; cell_id: number }>(
      `select m.status, r.cell_id from notice_recipients r join members m on m.id = r.member_id where r.notice_id = $1`,
      [res.json().id],
    );
    expect(recipients.length).toBeGreaterThan(0);
    expect(recipients.every((r) => r.status === 'official' && r.cell_id === tree.cellB.id)).toBe(true);
  });

  it('editing keeps the previous version', async () => {
    const n = (await publish(tree.cellA.id, { kind: 'news', title: 'Tin cũ', body: 'Bản 1' })).json();
    const edited = await svc.app.inject({
      method: 'PATCH',
      url: `/notices/${n.id}`,
      headers: { authorization: `Bearer ${committee}` },
      payload: { body: 'Bản 2' },
    });
    expect(edited.json()).toMatchObject({ body: 'Bản 2', version: 2 });
    expect(await t.db.query(`select version, body from notice_versions where notice_id = $1`, [n.id])).toEqual([
      { version: 1, body: 'Bản 1' },
    ]);
  });

  it('keeps the text of PDF attachments', async () => {
    const pdf = await new Promise<Buffer>((resolve) => {
      const doc = new PDFDocument();
      const chunks: Buffer[] = [];
      doc.on('data', (c) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.text('Annual report 2026');
      doc.end();
    });
    const res = await publish(tree.cellA.id, {
      kind: 'document',
      title: 'Báo cáo',
      body: 'Kèm tệp.',
      attachments: [{ filename: 'bao-cao.pdf', mime: 'application/pdf', contentBase64: pdf.toString('base64') }],
    });
    expect(res.statusCode).toBe(201);
    const [a] = await t.db.query<{ text: string }>(`select text from notice_attachments where notice_id = $1`, [
      res.json().id,
    ]);
    expect(a.text).toContain('Annual report 2026');
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['empty body', { kind: 'notice', title: 'X', body: '' }, 400],
    ['oversized body', { kind: 'notice', title: 'X', body: 'x'.repeat(60_000) }, 400],
    ['unknown kind', { kind: 'gossip', title: 'X', body: 'y' }, 400],
    ['scheduled in the past', { kind: 'notice', title: 'X', body: 'y', publishAt: '2020-01-01T00:00:00Z' }, 400],
    [
      'unreadable attachment',
      {
        kind: 'notice',
        title: 'X',
        body: 'y',
        attachments: [{ filename: 'virus.exe', mime: 'application/x-msdownload', contentBase64: 'TVqQ' }],
      },
      415,
    ],
    [
      'broken PDF',
      {
        kind: 'notice',
        title: 'X',
        body: 'y',
        attachments: [{ filename: 'a.pdf', mime: 'application/pdf', contentBase64: 'bm90IGEgcGRm' }],
      },
      415,
    ],
  ])('%s → %i', async (_name, body, status) => {
    const before = await noticeCount();
    expect((await publish(tree.cellA.id, body)).statusCode).toBe(status);
    expect(await noticeCount()).toBe(before);
  });

  it('an audience outside the publisher’s subtree → 403', async () => {
    const other = await makeOrg(t.db, 'province', null, 'Tỉnh khác');
    const before = await noticeCount();
    expect((await publish(other.id, { kind: 'notice', title: 'X', body: 'y' })).statusCode).toBe(403);
    const sec = await makeSecretary(t.db, tree.cellA);
    expect((await publish(tree.cellB.id, { kind: 'notice', title: 'X', body: 'y' }, sec.token)).statusCode).toBe(403);
    const outsider = await makeMember(t.db, await makeOrg(t.db, 'grassroots_cell', other));
    expect(
      (await publish(tree.cellA.id, { kind: 'notice', title: 'X', body: 'y', memberIds: [outsider.id] })).statusCode,
    ).toBe(403);
    expect(await noticeCount()).toBe(before);
  });
});

describe('scheduled publication and reminders', () => {
  it('publishes when due, and reminds once after the acknowledgement date', async () => {
    const m = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, m, 'telegram', '8100', 'telegram');
    const at = new Date(clock.now().getTime() + 3600_000);
    const n = (
      await publish(tree.cellA.id, {
        kind: 'notice',
        title: 'Hẹn giờ',
        body: 'Nội dung',
        publishAt: at.toISOString(),
        ackDueOn: '2026-01-01',
      })
    ).json();
    expect(n.recipients).toBe(0);
    await runDueNoticeJobs(deps);
    expect(await t.db.query(`select 1 from notice_recipients where notice_id = $1`, [n.id])).toEqual([]);
    clock.advance(2 * 3600_000);
    await runDueNoticeJobs(deps);
    await telegram.waitForSent(8100, 2); // the notice, then (its due date has passed) one reminder
    await runDueNoticeJobs(deps);
    await new Promise((r) => setTimeout(r, 300));
    const texts = telegram.sentTo(8100).map((x) => x.text!);
    expect(texts.filter((x) => x.includes('Nhắc'))).toHaveLength(1);
  });
});

describe('feedback', () => {
  it('goes from chat to the committee, whose answer comes back in chat; each step is recorded', async () => {
    const m = await makeMember(t.db, tree.cellA, { fullName: 'Người Phản Ánh' });
    await linkChat(t.db, m, 'telegram', '8200', 'telegram');
    const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
    const [sent] = await tg.say({ id: '8200' }, 'phản ánh đường ngõ 5 bị ngập khi mưa');
    const id = Number(/#(\d+)/.exec(sent)![1]);
    const [up] = await tg.say({ id: '8200' }, 'phan anh len kiến nghị lắp đèn đường');
    expect(up).toContain(tree.committee.name);
    const list = (
      await svc.app.inject({
        url: `/orgs/${tree.commune.id}/feedback`,
        headers: { authorization: `Bearer ${committee}` },
      })
    ).json();
    expect(list.map((f: { body: string }) => f.body)).toEqual(
      expect.arrayContaining(['đường ngõ 5 bị ngập khi mưa', 'kiến nghị lắp đèn đường']),
    );
    const answer = await svc.app.inject({
      method: 'POST',
      url: `/feedback/${id}/status`,
      headers: { authorization: `Bearer ${committee}` },
      payload: { status: 'answered', answer: 'Đã báo UBND xã khơi thông cống.' },
    });
    expect(answer.statusCode).toBe(200);
    await waitFor(() => telegram.sentTo(8200).some((x) => x.text?.includes('Đã báo UBND xã')), 10_000, 'answer');
    const back = await svc.app.inject({
      method: 'POST',
      url: `/feedback/${id}/status`,
      headers: { authorization: `Bearer ${committee}` },
      payload: { status: 'processing' },
    });
    expect(back.statusCode).toBe(409);
    const [f] = list.filter((x: { id: number }) => x.id === id);
    expect(f.history[0].status).toBe('received');
    // A member sees only their own.
    const other = await makeSecretary(t.db, tree.cellB);
    expect(
      (await svc.app.inject({ url: `/feedback`, headers: { authorization: `Bearer ${other.token}` } })).json(),
    ).toEqual([]);
    expect(
      (
        await svc.app.inject({
          url: `/orgs/${tree.cellA.id}/feedback`,
          headers: { authorization: `Bearer ${other.token}` },
        })
      ).statusCode,
    ).toBe(403);
  });
});
