/**
 * A member who never types a command: links, checks in, votes and reads a notice by pressing
 * buttons (digits on Zalo) alone; a secretary runs a vote through guided steps with a cancel
 * at each; Telegram registers its command lists and menu button and answers deep links and
 * its reply keyboard — on Telegram, Zalo and the web chat, against the fakes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../support/db.ts';
import { makeMember, makeOrg, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import { checkIn } from '../../api/meetings/check-in.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import type { Deps } from '../../api/context.ts';
import { COMMANDS } from '../../bot/core/commands/index.ts';
import {
  readQr,
  startBotHarness,
  waitProcessed,
  type BotHarness,
  type ChannelDriver,
  type FakeTelegram,
  type FakeZalo,
  type Person,
  type WebDriver,
  waitFor,
} from '../support/bot-harness.ts';

const TG = '777:MENUS';
const ZL = 'zalo-menus';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let zalo: FakeZalo;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let web: WebDriver;
let drivers: ChannelDriver[];

beforeAll(async () => {
  h = await startBotHarness({ telegram: [TG], zalo: [ZL] });
  ({ t, deps, telegram, zalo, web } = h);
  tree = await makeOrgTree(t.db);
  drivers = [h.tg!, h.zl!, web];
});
afterAll(async () => {
  await h?.close();
});

let nextId = 8_100_000;
const person = (): Person => ({ id: String(nextId++) });

/** A cell of its own with a secretary and a meeting in progress. */
async function cellWithMeeting() {
  const cell = await makeOrg(t.db, 'cell', tree.committee);
  const sec = await makeSecretary(t.db, cell, { fullName: 'Bí Thư Chi Bộ' });
  const meeting = await scheduleMeeting(deps, sec.principal, {
    cellId: cell.id,
    kind: 'regular',
    startsAt: new Date(Date.now() + 60_000),
    mode: 'hybrid',
    place: 'Hội trường',
  });
  await openMeeting(deps, sec.principal, meeting.id);
  return { cell, sec, meeting };
}

/** Linking is the one thing typed: the code (Telegram: the link's "/start CODE"; web: the link's page). */
async function link(driver: ChannelDriver, who: Person, code: string): Promise<string[]> {
  if (driver.channel === 'web') {
    expect((await web.signIn(who, code)).ok).toBe(true);
    // The page asks for help by itself once signed in.
    return web.say(who, 'trợ giúp');
  }
  return driver.say(who, driver.channel === 'telegram' ? `/start ${code}` : code);
}

/** Sends a Telegram photo and returns the texts the bot answered with (sent through the outbox). */
async function telegramPhoto(who: Person, fileId: string): Promise<string[]> {
  const before = telegram.sentTo(who.id).length;
  const update = telegram.photoUpdate({ fromId: Number(who.id), fileId });
  telegram.pushUpdate(TG, update);
  await waitProcessed(deps, 'telegram', 'telegram', String(update.update_id));
  return telegram
    .sentTo(who.id)
    .slice(before)
    .map((m) => m.text ?? '');
}

async function zaloPhoto(who: Person, url: string): Promise<string[]> {
  const before = zalo.sentTo(who.id).length;
  const update = zalo.imageUpdate({ userId: who.id, photoUrl: url });
  zalo.pushUpdate(ZL, update);
  await waitProcessed(deps, 'zalo', 'zalo', update.message.message_id);
  return zalo
    .sentTo(who.id)
    .slice(before)
    .map((m) => m.text);
}

/** Calls the fake Telegram's Bot API as a client would. */
async function telegramApi(method: string, body: object = {}): Promise<unknown> {
  const res = await fetch(`${telegram.root}/bot${TG}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { result: unknown }).result;
}

/** The options of the last numbered list among Zalo replies. */
const numbered = (replies: string[]) =>
  (replies.filter((r) => r.includes('Trả lời bằng số:')).at(-1) ?? '')
    .split('Trả lời bằng số:\n')[1]
    ?.split('\n')
    .map((l) => l.replace(/^\d+\. /, '').replace(/ \(\d+\/\d+\)$/, '')) ?? [];

describe.each(['telegram', 'zalo', 'web'] as const)('buttons only on %s', (channel) => {
  const driver = () => drivers.find((d) => d.channel === channel)!;

  it('a member links, checks in, votes and reads a notice without typing a command', async () => {
    const { cell, sec, meeting } = await cellWithMeeting();
    const member = await makeMember(t.db, cell, { fullName: 'Trần Văn Bấm Nút' });
    const motion = await openMotion(deps, sec.principal, {
      meetingId: meeting.id,
      kind: 'resolution',
      title: 'Thông qua kế hoạch quý II',
    });
    const notice = await publishNotice(deps, sec.principal, {
      orgId: cell.id,
      kind: 'notice',
      title: 'Lịch tiếp dân tháng 5',
      body: 'Chi bộ tiếp dân vào sáng thứ Bảy hằng tuần.',
    });
    const who = person();

    const welcome = (await link(driver(), who, (await issueLinkCode(deps, sec.principal, member.id)).code)).join('\n');
    expect(welcome).toContain('Đồng chí chọn việc bên dưới');
    // Zalo's short numbered menu puts what the meeting allows now first.
    if (channel === 'zalo') expect(welcome).toMatch(/Trả lời bằng số:\n1\. Điểm danh\n2\. Biểu quyết\n3\. Lịch họp/);

    expect((await driver().choose(who, 'Điểm danh')).join()).toContain('✅ Đồng chí đã điểm danh.');
    const ballot = (await driver().choose(who, 'Biểu quyết')).join();
    expect(ballot).toContain('Thông qua kế hoạch quý II');
    expect((await driver().choose(who, 'Tán thành')).join()).toContain('Đã ghi nhận phiếu: Tán thành.');
    expect(
      await t.db.query(`select choice from votes where motion_id = $1 and member_id = $2`, [motion.id, member.id]),
    ).toEqual([{ choice: 'for' }]);

    // Each finished action ends with the menu, so the next step is one more press.
    const list = (await driver().choose(who, 'Thông báo mới')).join();
    expect(list).toContain('Lịch tiếp dân tháng 5');
    expect((await driver().choose(who, 'Đọc 1')).join()).toContain('Chi bộ tiếp dân vào sáng thứ Bảy');
    expect((await driver().choose(who, 'Đã đọc')).join()).toContain('Đã ghi nhận: đồng chí đã đọc');
    const [read] = await t.db.query<{ readAt: Date | null }>(
      `select read_at as "readAt" from notice_recipients where notice_id = $1 and member_id = $2`,
      [notice.id, member.id],
    );
    expect(read.readAt).not.toBeNull();
    // And the menu is there again, so the member is never left without a next step.
    await driver().choose(who, 'Lịch họp');
  });

  const stepByStepVote =
    'a secretary opens a vote and records the room step by step, cancels a step, and nothing half-done is saved';
  it(stepByStepVote, async () => {
    const { sec, cell, meeting } = await cellWithMeeting();
    // One member in the room, checked in by the secretary (who is not: no ballot reaches them).
    const inRoom = await makeMember(t.db, cell);
    await checkIn(deps, sec.principal, { meetingId: meeting.id, memberId: inRoom.id, method: 'secretary' });
    const who = person();
    const help = (await link(driver(), who, (await issueLinkCode(deps, sec.principal, sec.member.id)).code)).join();
    expect(help).toContain('Dành cho bí thư chi bộ: Buổi họp đang diễn ra.');

    // Cancel at the first step: no motion.
    expect((await driver().choose(who, 'Mở biểu quyết')).join()).toContain('bước 1/2');
    expect((await driver().choose(who, 'Hủy')).join()).toContain('Đã hủy');
    expect((await driver().choose(who, 'Mở biểu quyết')).join()).toContain('Nội dung cần biểu quyết');
    const kind = (await driver().say(who, 'Thông qua chương trình công tác năm')).join();
    expect(kind).toContain('bước 2/2');
    expect((await driver().choose(who, 'Nghị quyết')).join()).toContain(
      'Đã mở biểu quyết (công khai): Thông qua chương trình công tác năm',
    );
    const [motion] = await t.db.query<{ id: number; kind: string }>(
      `select m.id, m.kind from motions m join meetings g on g.id = m.meeting_id where g.cell_id = $1`,
      [sec.member.cellId],
    );
    expect(motion.kind).toBe('resolution');

    // The room's count, one number at a time; a digit answers the question (even on Zalo).
    expect((await driver().choose(who, 'Ghi kết quả giơ tay')).join()).toContain('Số tán thành?');
    expect((await driver().say(who, 'nhiều lắm')).join()).toContain('Xin gõ một số');
    expect((await driver().say(who, '1')).join()).toContain('Số không tán thành?');
    // Cancelling here records nothing.
    expect((await driver().say(who, 'hủy')).join()).toContain('Đã hủy');
    const [untouched] = await t.db.query<{ roomFor: number }>(
      `select room_for as "roomFor" from motions where id = $1`,
      [motion.id],
    );
    expect(untouched.roomFor).toBe(0);
    await driver().choose(who, 'Ghi kết quả giơ tay');
    // Counts above those present are refused with the reason, and the step can be answered again.
    await driver().say(who, '6');
    await driver().say(who, '0');
    expect((await driver().say(who, '0')).join()).toContain(
      'vượt số đảng viên có quyền biểu quyết điểm danh tại phòng họp (1)',
    );
    await driver().choose(who, 'Ghi kết quả giơ tay');
    await driver().say(who, '1');
    await driver().say(who, '0');
    expect((await driver().say(who, '0')).join()).toContain(
      'Đã ghi biểu quyết giơ tay: tán thành 1, không tán thành 0, không biểu quyết 0.',
    );
    const [counted] = await t.db.query(`select room_for, room_against, room_abstain from motions where id = $1`, [
      motion.id,
    ]);
    expect(counted).toEqual({ room_for: 1, room_against: 0, room_abstain: 0 });
    // The menu now offers what fits: the vote is open, so "Kết thúc biểu quyết", not "Mở biểu quyết".
    expect((await driver().choose(who, 'Kết thúc biểu quyết')).join()).toMatch(/thông qua|Kết quả|tán thành/i);
  });

  const kindFromWords =
    'a motion whose words name its kind skips that question; the rules decide whether to ask open or secret';
  it(kindFromWords, async () => {
    const { sec, meeting } = await cellWithMeeting();
    const who = person();
    await link(driver(), who, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    await driver().choose(who, 'Mở biểu quyết');
    const ask = (await driver().say(who, 'Kết nạp quần chúng Lò Văn Ánh')).join();
    expect(ask).toContain('công khai hay bỏ phiếu kín');
    expect((await driver().choose(who, 'Bỏ phiếu kín')).join()).toContain('Đã mở biểu quyết (bỏ phiếu kín)');
    expect(await t.db.query(`select kind, ballot from motions where meeting_id = $1`, [meeting.id])).toEqual([
      { kind: 'admission', ballot: 'secret' },
    ]);
  });

  it('"Báo vắng" asks for the reason with buttons for the usual ones', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee);
    const sec = await makeSecretary(t.db, cell);
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: cell.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 86_400_000),
      mode: 'in_person',
      place: 'Nhà văn hóa',
    });
    const member = await makeMember(t.db, cell);
    const who = person();
    await link(driver(), who, (await issueLinkCode(deps, sec.principal, member.id)).code);
    expect((await driver().choose(who, 'Lịch họp')).join()).toContain('Nhà văn hóa');
    expect((await driver().choose(who, 'Báo vắng')).join()).toContain('chọn lý do');
    expect((await driver().choose(who, 'Đi công tác')).join()).toContain('lý do: Đi công tác');
    expect(
      await t.db.query(`select absence_reason from meeting_attendance where meeting_id = $1 and member_id = $2`, [
        meeting.id,
        member.id,
      ]),
    ).toEqual([{ absence_reason: 'Đi công tác' }]);
  });

  it('feedback asks for the text, then an optional photo', async () => {
    const { cell, sec } = await cellWithMeeting();
    const member = await makeMember(t.db, cell);
    const who = person();
    await link(driver(), who, (await issueLinkCode(deps, sec.principal, member.id)).code);
    expect((await driver().choose(who, 'Phản ánh')).join()).toContain('gõ nội dung phản ánh');
    const typed = (await driver().say(who, 'Đèn hội trường bị hỏng')).join();
    // The web chat cannot send a photo: it is never offered one, and the text is sent at once (issue 24).
    if (channel === 'web') expect(typed).not.toContain('ảnh');
    else expect(typed).toContain('gửi kèm một ảnh');
    const sent =
      channel === 'telegram'
        ? await telegramPhoto(who, 'photo-file-1')
        : channel === 'zalo'
          ? await zaloPhoto(who, 'https://zalo.example/photo-1.jpg')
          : [typed];
    expect(sent.join()).toMatch(/Đã gửi phản ánh #\d+ tới/);
    const [f] = await t.db.query<{ body: string; photo: string | null }>(
      `select body, photo_ref as photo from feedback where member_id = $1`,
      [member.id],
    );
    expect(f.body).toBe('Đèn hội trường bị hỏng');
    expect(f.photo).toBe(
      channel === 'telegram' ? 'photo-file-1' : channel === 'zalo' ? 'https://zalo.example/photo-1.jpg' : null,
    );
    // The one-line form still works.
    expect((await driver().say(who, 'phananh Xin thêm ghế cho hội trường')).join()).toMatch(/Đã gửi phản ánh/);
  });
});

describe('Telegram conventions', () => {
  it('registers its commands in Vietnamese (a separate list for groups) and the menu button on start', async () => {
    const lists = telegram.commandLists.filter((l) => l.token === TG);
    const byScope = new Map(lists.map((l) => [l.scope, l.commands]));
    expect([...byScope.keys()].sort()).toEqual(['all_group_chats', 'all_private_chats', 'default']);
    const names = new Set(COMMANDS.map((c) => c.name));
    for (const commands of byScope.values()) {
      for (const c of commands) {
        expect(names.has(c.command), c.command).toBe(true);
        expect(c.description).toMatch(/[àáảãạăâđêôơưếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵéèẻẽẹóòỏõọúùủũụ]/i);
      }
    }
    expect(byScope.get('default')!.map((c) => c.command)).toContain('diemdanh');
    expect(byScope.get('all_group_chats')!.map((c) => c.command)).not.toContain('phananh');
    expect(telegram.menuButtons.get(TG)).toEqual({ type: 'commands' });
    // As a Telegram client asks for them, per chat kind, and the menu button beside the text field.
    const commandsIn = async (type: string) =>
      ((await telegramApi('getMyCommands', { scope: { type } })) as { command: string }[]).map((c) => c.command);
    expect(await commandsIn('all_private_chats')).toEqual(expect.arrayContaining(['start', 'diemdanh', 'phananh']));
    expect(await commandsIn('all_group_chats')).toEqual(expect.arrayContaining(['diemdanh', 'ganchibo']));
    expect(await commandsIn('all_group_chats')).not.toContain('start');
    expect(await telegramApi('getChatMenuButton')).toEqual({ type: 'commands' });
  });

  it('shows a reply keyboard after linking that can be hidden; its buttons are menu items, not questions', async () => {
    const { cell, sec } = await cellWithMeeting();
    const member = await makeMember(t.db, cell);
    const who = person();
    const tg = drivers[0];
    await link(tg, who, (await issueLinkCode(deps, sec.principal, member.id)).code);
    const keyboard = telegram.sentTo(who.id).find((m) => m.replyMarkup?.keyboard)?.replyMarkup?.keyboard;
    expect(keyboard?.flat().map((b) => b.text)).toContain('💬 Hỏi Trợ lý ảo');
    expect((await tg.say(who, '💬 Hỏi Trợ lý ảo')).join()).toContain('Đồng chí gõ câu hỏi');
    expect((await tg.say(who, '✅ Điểm danh')).join()).toContain('đã điểm danh');
    await tg.say(who, '⬇️ Ẩn menu');
    expect(telegram.sentTo(who.id).at(-1)?.replyMarkup?.remove_keyboard).toBe(true);
    await tg.say(who, 'menu');
    expect(telegram.sentTo(who.id).some((m, i, all) => i > all.length - 3 && m.replyMarkup?.keyboard)).toBe(true);
    // A keyboard press in the middle of a dialogue leaves it: nothing half-typed is sent.
    expect((await tg.say(who, '✉️ Phản ánh')).join()).toContain('gõ nội dung phản ánh');
    expect((await tg.say(who, '📅 Lịch họp')).join()).toContain('Thời gian:');
    expect(await t.db.query(`select 1 from feedback where member_id = $1`, [member.id])).toEqual([]);
    // Unlinked, the keyboard would lead nowhere: it goes too.
    await tg.say(who, 'huy lien ket');
    expect(telegram.sentTo(who.id).at(-1)?.replyMarkup?.remove_keyboard).toBe(true);
  });

  it('deep links open the right action: a notice, or a room check-in', async () => {
    const { cell, sec, meeting } = await cellWithMeeting();
    const member = await makeMember(t.db, cell);
    const notice = await publishNotice(deps, sec.principal, {
      orgId: cell.id,
      kind: 'document',
      title: 'Hướng dẫn kiểm điểm cuối năm',
      body: 'Mỗi đảng viên viết bản kiểm điểm.',
    });
    const who = person();
    const tg = drivers[0];
    // Before linking, a deep link says how to link and nothing else.
    expect((await tg.say(who, `/start thongbao_${notice.id}`)).join()).toContain('chưa được liên kết');
    await link(tg, who, (await issueLinkCode(deps, sec.principal, member.id)).code);
    expect((await tg.say(who, `/start thongbao_${notice.id}`)).join()).toContain('Mỗi đảng viên viết bản kiểm điểm');
    const [{ code }] = await t.db.query<{ code: string }>(`select checkin_code as code from meetings where id = $1`, [
      meeting.id,
    ]);
    expect((await tg.say(who, `/start diemdanh_${code}`)).join()).toContain('đã điểm danh');
  });

  it('a notice in the cell\'s group carries "Đọc và xác nhận", a link that opens it privately', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee);
    const sec = await makeSecretary(t.db, cell);
    const member = await makeMember(t.db, cell);
    const tg = drivers[0];
    const secretary = person();
    const who = person();
    const group = { id: String(nextId++) };
    await link(tg, secretary, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    const code = /: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec((await tg.say(secretary, 'gan chi bo')).join())![1];
    expect((await tg.say(secretary, `/ganchibo ${code}`, group)).join()).toContain('Đã gắn nhóm này');
    await link(tg, who, (await issueLinkCode(deps, sec.principal, member.id)).code);

    const notice = await publishNotice(deps, sec.principal, {
      orgId: cell.id,
      kind: 'notice',
      title: 'Lịch trực Tết',
      body: 'Mỗi đồng chí trực một buổi theo danh sách đính kèm.',
    });
    const groupChat = `-${group.id}`;
    const posted = await waitFor(
      () => telegram.sentTo(groupChat).find((m) => m.text?.includes('Lịch trực Tết')),
      10_000,
      'the notice in the group',
    );
    // The group sees the title; the text stays in members' own chats.
    expect(posted.text).not.toContain('Mỗi đồng chí trực');
    const { username } = (await telegramApi('getMe')) as { username: string };
    const buttons = posted.replyMarkup?.inline_keyboard?.flat() ?? [];
    expect(buttons).toEqual([{ text: 'Đọc và xác nhận', url: `https://t.me/${username}?start=thongbao_${notice.id}` }]);

    // Pressing it opens the bot, which sends "/start <payload>" from the member's private chat.
    // The member has it privately too (read there, or from the group's link).
    await waitFor(() => telegram.sentTo(who.id).some((m) => m.text?.includes('Lịch trực Tết')), 10_000, 'delivery');
    const start = new URL(buttons[0].url!).searchParams.get('start');
    expect((await tg.say(who, `/start ${start}`)).join()).toContain('Mỗi đồng chí trực một buổi');
    expect((await tg.choose(who, 'Đã đọc')).join()).toContain('Đã ghi nhận: đồng chí đã đọc "Lịch trực Tết"');
    const [read] = await t.db.query<{ readAt: Date | null }>(
      `select read_at as "readAt" from notice_recipients where notice_id = $1 and member_id = $2`,
      [notice.id, member.id],
    );
    expect(read.readAt).not.toBeNull();
    // A narrowed notice is not announced to the whole group.
    const narrowed = await publishNotice(deps, sec.principal, {
      orgId: cell.id,
      kind: 'notice',
      title: 'Chỉ đảng viên chính thức',
      body: 'Nội dung riêng.',
      officialOnly: true,
    });
    const queued = await t.db.query(`select chat_id from outbox_messages where ref_type = 'notice' and ref_id = $1`, [
      String(narrowed.id),
    ]);
    expect(queued.map((r) => r.chat_id)).toContain(who.id);
    expect(queued.map((r) => r.chat_id)).not.toContain(groupChat);
  });

  it('the room code comes with a link that checks in, the same one the QR code holds', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee);
    const sec = await makeSecretary(t.db, cell);
    await scheduleMeeting(deps, sec.principal, {
      cellId: cell.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'in_person',
      place: 'Hội trường',
    });
    const member = await makeMember(t.db, cell);
    const tg = drivers[0];
    const secretary = person();
    const who = person();
    await link(tg, secretary, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    await link(tg, who, (await issueLinkCode(deps, sec.principal, member.id)).code);
    const opened = (await tg.choose(secretary, 'Mở họp')).join('\n');
    const roomCode = /Mã điểm danh tại phòng họp: (\d{6})/.exec(opened)![1];
    const { username } = (await telegramApi('getMe')) as { username: string };
    const button = telegram
      .sentTo(secretary.id)
      .flatMap((m) => m.replyMarkup?.inline_keyboard?.flat() ?? [])
      .find((b) => b.url);
    expect(button).toEqual({
      text: 'Link điểm danh tại phòng họp',
      url: `https://t.me/${username}?start=diemdanh_${roomCode}`,
    });
    expect(readQr(telegram.sentTo(secretary.id).find((m) => m.method === 'sendPhoto')!.photo!)).toBe(button!.url);
    const start = new URL(button!.url!).searchParams.get('start');
    expect((await tg.say(who, `/start ${start}`)).join()).toContain('✅ Đồng chí đã điểm danh.');
  });
});

describe('Zalo keeps numbered menus short', () => {
  const zl = () => drivers[1];
  const EVERYDAY = ['Lịch họp', 'Thông báo mới', 'Hỏi Trợ lý ảo', 'Phản ánh'];
  const states = [
    { name: 'no meeting', now: [] as string[] },
    { name: 'a meeting scheduled', now: ['Mở họp'] },
    { name: 'a meeting in progress', now: ['Tình hình điểm danh', 'Mở biểu quyết', 'Kết thúc họp', 'Điểm danh'] },
    {
      name: 'a vote open',
      now: ['Tình hình điểm danh', 'Ghi kết quả giơ tay', 'Kết thúc biểu quyết', 'Điểm danh', 'Biểu quyết'],
    },
  ];

  /** A cell whose secretary is linked on Zalo, its meeting in the given state. */
  async function secretaryAt(state: string) {
    const cell = await makeOrg(t.db, 'cell', tree.committee);
    const sec = await makeSecretary(t.db, cell);
    if (state !== 'no meeting') {
      const meeting = await scheduleMeeting(deps, sec.principal, {
        cellId: cell.id,
        kind: 'regular',
        startsAt: new Date(Date.now() + 60_000),
        mode: 'hybrid',
        place: 'Hội trường',
      });
      if (state !== 'a meeting scheduled') await openMeeting(deps, sec.principal, meeting.id);
      if (state === 'a vote open')
        await openMotion(deps, sec.principal, { meetingId: meeting.id, kind: 'resolution', title: 'Thông qua' });
    }
    const who = person();
    await link(zl(), who, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    return { sec, who };
  }

  it.each(states)(
    "a secretary's menu with $name: at most 6 numbers, the meeting's actions first",
    async ({ name, now }) => {
      const { who } = await secretaryAt(name);
      const shown = numbered(await zl().say(who, 'menu'));
      expect(shown.length).toBeLessThanOrEqual(6);
      expect(shown.at(-1)).toBe('Xem thêm');
      expect(shown.slice(0, Math.min(now.length, 5))).toEqual(now.slice(0, 5));

      // "Xem thêm" shows the rest, then the other things as choices (no slash commands, issue 24);
      // together nothing is missing.
      const more = await zl().choose(who, 'Xem thêm');
      expect(more.join('\n')).not.toContain('/nhiemvu');
      expect(numbered(more)).toContain('Nhiệm vụ');
      const others = ['Nhiệm vụ', 'Đánh giá buổi họp', 'Phản ánh của tôi', 'Trang quản trị'];
      const rest = numbered(more).filter((label) => !shown.includes(label) && !others.includes(label));
      expect([...shown.slice(0, -1), ...rest].sort()).toEqual([...now, ...EVERYDAY].sort());
      // And what is behind it works: the first of the rest (or, when nothing is, "Nhiệm vụ").
      const next = rest[0] ?? 'Nhiệm vụ';
      if (!rest.length) expect(numbered(more)).toContain('Nhiệm vụ');
      const answer = (await zl().choose(who, next)).join('\n');
      expect(answer).not.toMatch(/hết hiệu lực|chưa hiểu|Xin lỗi/);
      expect(answer.length).toBeGreaterThan(0);
    },
  );

  it('a vote open: the rest holds the everyday actions, and each works by its digit', async () => {
    const { who } = await secretaryAt('a vote open');
    await zl().say(who, 'menu');
    expect(numbered(await zl().choose(who, 'Xem thêm'))).toEqual([
      ...EVERYDAY,
      'Nhiệm vụ',
      'Đánh giá buổi họp',
      'Phản ánh của tôi',
      'Trang quản trị',
    ]);
    expect((await zl().choose(who, 'Lịch họp')).join()).toContain('Thời gian:');
    await zl().choose(who, 'Xem thêm');
    expect((await zl().choose(who, 'Phản ánh')).join()).toContain('gõ nội dung phản ánh');
    expect((await zl().say(who, 'hủy')).join()).toContain('Đã hủy');
    await zl().choose(who, 'Xem thêm');
    expect((await zl().choose(who, 'Thông báo mới')).join()).toMatch(/thông báo/i);
  });

  it('Telegram keeps every button in one menu', async () => {
    const cell = await makeOrg(t.db, 'cell', tree.committee);
    const sec = await makeSecretary(t.db, cell);
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: cell.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'hybrid',
      place: 'Hội trường',
    });
    await openMeeting(deps, sec.principal, meeting.id);
    await openMotion(deps, sec.principal, { meetingId: meeting.id, kind: 'resolution', title: 'Thông qua' });
    const who = person();
    await link(drivers[0], who, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    await drivers[0].say(who, 'menu');
    const labels = telegram
      .sentTo(who.id)
      .filter((m) => m.replyMarkup?.inline_keyboard)
      .at(-1)!
      .replyMarkup!.inline_keyboard!.flat()
      .map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining([...states[3].now, ...EVERYDAY, 'Xem thêm']));
    expect(labels.length).toBeGreaterThan(6);
  });
});
