/**
 * A whole cell meeting driven through chat: the secretary and members on Telegram, a member
 * on Zalo, one on the web chat, and the room's show of hands — one record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../support/db.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import type { Deps } from '../../api/context.ts';
import {
  readQr,
  startBotHarness,
  telegramDriver,
  waitFor,
  waitProcessed,
  webDriver,
  zaloDriver,
  type BotHarness,
  type FakeTelegram,
  type FakeZalo,
  type Running,
} from '../support/bot-harness.ts';

const TG = '555:MEETING';
const ZL = 'zalo-meeting';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let zalo: FakeZalo;
let svc: Running;

beforeAll(async () => {
  h = await startBotHarness({ telegram: [TG], zalo: [ZL] });
  ({ t, deps, telegram, zalo, svc } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('a meeting run from chat', () => {
  const wholeMeeting =
    'schedules, checks in, votes on three channels plus the room, and posts the result to the cell group';
  it(wholeMeeting, async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư' });
    const a = await makeMember(t.db, tree.cellA, { fullName: 'Telegram A' });
    const b = await makeMember(t.db, tree.cellA, { fullName: 'Zalo B' });
    const c = await makeMember(t.db, tree.cellA, { fullName: 'Web C' });
    const p = await makeMember(t.db, tree.cellA, {
      fullName: 'Dự Bị P',
      status: 'probationary',
      admittedOn: '2026-02-01',
      officialOn: null,
    });
    const room = [await makeMember(t.db, tree.cellA), await makeMember(t.db, tree.cellA)];
    await makeMember(t.db, tree.cellA); // absent without reason
    await linkChat(t.db, sec.member, 'telegram', '501', 'telegram');
    await linkChat(t.db, a, 'telegram', '502', 'telegram');
    await linkChat(t.db, p, 'telegram', '504', 'telegram');
    await linkChat(t.db, b, 'zalo', 'zb', 'zalo');
    const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
    const zl = zaloDriver(deps, zalo, ZL, 'zalo', 'polling');
    const web = webDriver(svc.baseUrl);
    await web.signIn({ id: 'web-c' }, (await issueLinkCode(deps, sec.principal, c.id)).code);

    // The cell's Telegram group, bound by the secretary.
    const [codeReply] = await tg.say({ id: '501' }, 'ganchibo');
    const groupCode = /: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(codeReply)![1];
    await tg.say({ id: '501' }, `/ganchibo ${groupCode}`, { id: '900' });

    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'hybrid',
      place: 'Hội trường',
      agenda: ['Nhiệm vụ tháng tới'],
    });
    // Everyone linked hears about it: buttons on Telegram, numbered options on Zalo, the group too.
    const invite = await telegram.waitForSent(502);
    expect(invite[0].text).toContain('sinh hoạt thường kỳ');
    expect(invite[0].replyMarkup?.inline_keyboard?.flat().map((x) => x.text)).toEqual(['Tham dự', 'Báo vắng']);
    expect((await zalo.waitForSent('zb'))[0].text).toContain('1. Tham dự');
    await telegram.waitForSent(-900);

    expect((await zl.say({ id: 'zb' }, '1')).join()).toContain('tham dự');
    const opened = (await tg.say({ id: '501' }, 'mở họp')).join('\n');
    const roomCode = /Mã điểm danh tại phòng họp: (\d{6})/.exec(opened)![1];
    // The QR code on the secretary's screen opens the bot: a phone camera is enough to check in.
    const qr = readQr(telegram.sentTo(501).find((m) => m.method === 'sendPhoto')!.photo!);
    const start = new URL(qr).searchParams.get('start');
    expect(qr).toMatch(/^https:\/\/t\.me\/\w+\?start=/);
    expect(start).toBe(`diemdanh_${roomCode}`);

    expect((await tg.say({ id: '502' }, 'diem danh')).join()).toContain('đã điểm danh');
    expect((await zl.say({ id: 'zb' }, 'Điểm danh')).join()).toContain('đã điểm danh');
    expect((await web.say({ id: 'web-c' }, 'ĐIỂM DANH')).join()).toContain('đã điểm danh');
    expect((await tg.say({ id: '504' }, `/start ${start}`)).join()).toContain('đã điểm danh');
    expect((await tg.say({ id: '777' }, `/start ${start}`)).join()).toContain('chưa được liên kết');
    for (const m of [sec.member, ...room]) {
      const res = await svc.app.inject({
        method: 'POST',
        url: `/meetings/${meeting.id}/check-in`,
        headers: { authorization: `Bearer ${sec.token}` },
        payload: { memberId: m.id },
      });
      expect(res.statusCode).toBe(200);
    }
    const view = (await tg.say({ id: '501' }, 'tinh hinh')).join();
    // 7 official (sec, a, b, c, 2 room, 1 absent) → base 7; present in base 6.
    expect(view).toContain('6/7 đảng viên chính thức được triệu tập có mặt');
    expect(view).toContain('Cơ sở tính: 7 chính thức = 7');

    await tg.say({ id: '501' }, 'mobieuquyet Thông qua nghị quyết tháng 4');
    // The vote reaches those present through the outbox: a button for A, numbers for B.
    const ballot = await waitFor(
      () => telegram.sentTo(502).find((m) => m.text?.includes('Thông qua nghị quyết tháng 4')),
      10_000,
      'ballot',
    );
    const yes = ballot.replyMarkup!.inline_keyboard!.flat().find((x) => x.text === 'Tán thành')!;
    const pressed = await tgPress(502, yes.callback_data!);
    expect(pressed.join()).toContain('Đã ghi nhận phiếu: Tán thành');
    await waitFor(
      () => zalo.sentTo('zb').some((m) => m.text.includes('Thông qua nghị quyết tháng 4')),
      10_000,
      'zalo ballot',
    );
    expect((await zl.say({ id: 'zb' }, '2')).join()).toContain('Không tán thành');
    expect((await web.say({ id: 'web-c' }, 'bieu quyet tan thanh')).join()).toContain('Tán thành');
    expect((await tg.say({ id: '504' }, 'bieu quyet')).join()).toMatch(/dự bị.*không biểu quyết/);
    expect((await tg.say({ id: '502' }, 'bieu quyet khong')).join()).toMatch(/đã biểu quyết/);
    // The secretary checked herself in online, so she votes in chat; the two room members by hand.
    expect((await tg.say({ id: '501' }, 'bieu quyet tan thanh')).join()).toContain('Đã ghi nhận phiếu');

    // 2 entitled members checked in in the room (marked by the secretary): at most 2 hands.
    expect((await tg.say({ id: '501' }, 'giotay 3 0 0')).join()).toMatch(/vượt số đảng viên.*tại phòng họp \(2\)/);
    expect((await tg.say({ id: '501' }, 'giơ tay 2 0 0')).join()).toContain('Đã ghi biểu quyết giơ tay');
    const result = (await tg.say({ id: '501' }, 'ket thuc bieu quyet')).join();
    expect(result).toContain('Tán thành 5, không tán thành 1, không biểu quyết 0');
    expect(result).toContain('THÔNG QUA');
    await waitFor(
      () => telegram.sentTo(-900).some((m) => m.text?.includes('THÔNG QUA')),
      10_000,
      'result in the group',
    );

    const tally = await t.db.query(`select choice, count(*)::int n from votes group by choice order by choice`);
    expect(tally).toEqual([
      { choice: 'against', n: 1 },
      { choice: 'for', n: 3 },
    ]);
  });
});

describe('scheduling from chat', () => {
  it('reads "lên lịch họp 5/12 19:00" with or without diacritics and schedules only when confirmed', async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Lịch' });
    const member = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, sec.member, 'telegram', '521', 'telegram');
    await linkChat(t.db, member, 'zalo', 'z521', 'zalo');
    const tg = telegramDriver(deps, telegram, TG, 'telegram', 'polling');
    const count = async () => (await t.db.query(`select 1 from meetings where cell_id = $1`, [tree.cellA.id])).length;

    const asked = (await tg.say({ id: '521' }, 'len lich hop ngay 5/12 luc 19 gio')).join();
    expect(asked).toMatch(/Lên lịch sinh hoạt chi bộ thường kỳ lúc 19:00 ngày 05\/12\/20\d\d\?/);
    expect((await tg.choose({ id: '521' }, 'Hủy')).join()).toContain('Đã hủy');
    expect(await count()).toBe(0);

    expect((await tg.say({ id: '521' }, 'Lên lịch họp 5/12 19:00 tại Hội trường thôn')).join()).toContain(
      'tại Hội trường thôn?',
    );
    expect((await tg.choose({ id: '521' }, 'Xác nhận')).join()).toContain('Đã lên lịch họp lúc 19:00 ngày 05/12/');
    const [m] = await t.db.query<{ startsAt: Date; place: string }>(
      `select starts_at as "startsAt", place from meetings where cell_id = $1`,
      [tree.cellA.id],
    );
    const vn = new Date(new Date(m.startsAt).getTime() + 7 * 3600_000);
    expect([vn.getUTCDate(), vn.getUTCMonth() + 1, vn.getUTCHours(), vn.getUTCMinutes()]).toEqual([5, 12, 19, 0]);
    expect(m.place).toBe('Hội trường thôn');
    // The members hear about it on their chats.
    await waitFor(() => zalo.sentTo('z521').some((x) => x.text.includes('sinh hoạt thường kỳ')), 10_000, 'invite');
    // A date that does not exist is refused.
    expect((await tg.say({ id: '521' }, 'lên lịch họp 31/2 19:00')).join()).toMatch(/Gõ ngày và giờ họp/);
  });
});

async function tgPress(fromId: number, data: string) {
  const before = telegram.sentTo(fromId).length;
  const update = telegram.callbackUpdate({ fromId, data });
  telegram.pushUpdate(TG, update);
  // processed, and its replies (queued in the outbox) sent
  await waitProcessed(deps, 'telegram', 'telegram', String(update.update_id));
  expect(telegram.callbacksAnswered.length).toBeGreaterThan(0);
  // Replies go through the outbox: wait for the reply to reach the chat.
  await waitFor(() => telegram.sentTo(fromId).length > before, 10_000, 'reply');
  return telegram
    .sentTo(fromId)
    .slice(before)
    .map((m) => m.text ?? '');
}
