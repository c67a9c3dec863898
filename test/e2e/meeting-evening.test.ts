/**
 * A meeting evening as members live it (issue 31), at a small size: members check in and vote
 * by tapping buttons in Telegram (through the webhook, as in production) and by typing a digit
 * on Zalo. Every tap is answered at once — Telegram's answerCallbackQuery in the webhook's own
 * response, with a short text that never names the choice — while the answers that must be
 * messages go through the outbox; double taps and re-delivered updates count once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../support/db.ts';
import { linkChat, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import { closeMotion } from '../../api/meetings/close-motion.ts';
import { encodeAction } from '../../bot/core/actions.ts';
import type { Deps } from '../../api/context.ts';
import {
  startBotHarness,
  waitFor,
  waitProcessed,
  zaloDriver,
  type BotHarness,
  type FakeTelegram,
  type FakeZalo,
} from '../support/bot-harness.ts';

const TG = '557:EVENING';
const ZL = 'zalo-evening';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let zalo: FakeZalo;

beforeAll(async () => {
  h = await startBotHarness({ telegram: [TG], zalo: [ZL], webhooks: true });
  ({ t, deps, telegram, zalo } = h);
});
afterAll(async () => {
  await h?.close();
});

const CHOICE_WORDS = /Tán thành|Không tán thành|Ý kiến khác|\bfor\b|against|abstain/i;

/** A Telegram member taps a button: the webhook call returns, and Telegram has its answer. */
async function tap(fromId: number, data: string) {
  const update = telegram.callbackUpdate({ fromId, data });
  const status = await telegram.deliverWebhook(TG, update);
  expect(status).toBe(200);
  return { update, answer: telegram.answerOf(update.callback_query.id) };
}

describe('a meeting evening through the chat', () => {
  it('answers every tap at once without naming the choice, and counts each member once', async () => {
    const tree = await makeOrgTree(t.db);
    const sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Bí Thư Buổi Tối' });
    const members: { member: Awaited<ReturnType<typeof makeMember>>; chat: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const m = await makeMember(t.db, tree.cellA, { fullName: `Đảng Viên ${i + 1}` });
      await linkChat(t.db, m, 'telegram', String(7101 + i), 'telegram');
      members.push({ member: m, chat: 7101 + i });
    }
    const onZalo = await makeMember(t.db, tree.cellA, { fullName: 'Đảng Viên Zalo' });
    await linkChat(t.db, onZalo, 'zalo', 'ze1', 'zalo');
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt: new Date(Date.now() + 60_000),
      mode: 'online',
      place: 'Trực tuyến',
    });
    await openMeeting(deps, sec.principal, meeting.id);

    // Check-in by the main menu's button; the first member taps twice.
    const checkIn = encodeAction({ kind: 'menu', item: 'checkin' });
    const taps = [];
    for (const { chat } of members) taps.push(await tap(chat, checkIn));
    taps.push(await tap(members[0].chat, checkIn));
    for (const { answer } of taps) {
      expect(answer?.via).toBe('webhook-response');
      expect(answer?.text).toBe('Đã ghi nhận điểm danh');
    }
    for (const { update } of taps) await waitProcessed(deps, 'telegram', 'telegram', String(update.update_id));
    const zl = zaloDriver(deps, zalo, ZL, 'zalo', 'webhook');
    expect((await zl.say({ id: 'ze1' }, 'diem danh')).join()).toContain('đã điểm danh');
    const [present] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from meeting_attendance where meeting_id = $1`,
      [meeting.id],
    );
    expect(present.n).toBe(7);
    expect(telegram.sentTo(members[0].chat).some((m) => m.text?.includes('đã điểm danh'))).toBe(true);

    // An open vote: four for, two against; one member taps twice, one update is delivered twice.
    const open = await openMotion(deps, sec.principal, {
      meetingId: meeting.id,
      kind: 'question',
      title: 'Thông qua kế hoạch quý I',
      ballot: 'open',
    });
    const openChoices = ['for', 'for', 'for', 'for', 'against', 'against'];
    const voteTaps = [];
    for (const [i, { chat }] of members.entries())
      voteTaps.push(await tap(chat, encodeAction({ kind: 'vote', motionId: open.id, choice: openChoices[i] })));
    voteTaps.push(await tap(members[1].chat, encodeAction({ kind: 'vote', motionId: open.id, choice: 'for' })));
    // A tap whose webhook response was lost on the way: Telegram re-sends it; stored and counted
    // once, answered by the second response.
    const lost = telegram.callbackUpdate({
      fromId: members[2].chat,
      data: encodeAction({ kind: 'vote', motionId: open.id, choice: 'for' }),
    });
    await telegram.deliverWebhook(TG, lost, undefined, { responseLost: true });
    expect(telegram.answerOf(lost.callback_query.id)).toBeUndefined();
    expect(await telegram.deliverWebhook(TG, lost)).toBe(200);
    voteTaps.push({ update: lost, answer: telegram.answerOf(lost.callback_query.id) });
    for (const { answer } of voteTaps) expect(answer?.text).toBe('Đã ghi nhận phiếu');
    for (const { update } of voteTaps) await waitProcessed(deps, 'telegram', 'telegram', String(update.update_id));
    const openResult = await closeMotion(deps, sec.principal, open.id, { confirm: true });
    expect(openResult.counts).toMatchObject({ for: 4, against: 2 });

    // A secret ballot: the toast of every choice is the same words, and no reply names a choice.
    const secret = await openMotion(deps, sec.principal, {
      meetingId: meeting.id,
      kind: 'question',
      title: 'Giới thiệu nhân sự',
      ballot: 'secret',
    });
    const secretChoices = ['for', 'against', 'abstain', 'for', 'for', 'against'];
    const before = new Map(members.map(({ chat }) => [chat, telegram.sentTo(chat).length]));
    const secretTaps = [];
    for (const [i, { chat }] of members.entries())
      secretTaps.push(await tap(chat, encodeAction({ kind: 'vote', motionId: secret.id, choice: secretChoices[i] })));
    expect(new Set(secretTaps.map((x) => x.answer?.text))).toEqual(new Set(['Đã ghi nhận phiếu']));
    for (const { update } of secretTaps) await waitProcessed(deps, 'telegram', 'telegram', String(update.update_id));
    for (const { chat } of members) {
      // (The open vote's result and the secret ballot's own buttons reach the chat meanwhile.)
      const replies = telegram
        .sentTo(chat)
        .slice(before.get(chat))
        .filter((m) => m.text?.includes('Đã ghi nhận phiếu'));
      expect(replies.map((m) => m.text)).toEqual([expect.stringContaining('Đã ghi nhận phiếu kín')]);
      expect(replies[0].text).not.toMatch(CHOICE_WORDS);
    }

    // Zalo has no callback to answer: a typed option is met with "typing…" at once.
    await zl.say({ id: 'ze1' }, 'bieuquyet');
    const actionsBefore = zalo.chatActions.length;
    expect((await zl.choose({ id: 'ze1' }, 'Tán thành')).join()).toContain('Đã ghi nhận phiếu');
    expect(zalo.chatActions.slice(actionsBefore)).toMatchObject([{ chatId: 'ze1', action: 'typing' }]);

    const secretResult = await closeMotion(deps, sec.principal, secret.id, { confirm: true });
    expect(secretResult.counts).toMatchObject({ for: 4, against: 2, abstain: 1 });
    // Nothing Telegram refused: every answer came once and in time.
    expect(telegram.callbackAnswerErrors).toEqual([]);
    await waitFor(() => telegram.sentTo(members[5].chat).length > 0, 5_000, 'replies');
  });
});
