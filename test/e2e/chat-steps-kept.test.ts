/**
 * A step in progress is kept, and numbers go only where a step waits for them (issue 24): asking
 * for help mid-step (as the web chat does when it is reloaded) asks the step again instead of
 * taking "trợ giúp" as the answer; a bare number with nothing waiting for it gets a clear
 * message — it never reaches the assistant (no quoted document, nothing in the editors'
 * unanswered list) and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkChat, makeMember, makeOrgTree } from '../factories/index.ts';
import { startBotHarness, telegramDriver, type BotHarness, type ChannelDriver } from '../support/bot-harness.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { makeSecretary } from '../factories/index.ts';

const TG = '991:STEPS-KEPT';
let h: BotHarness;
let tg: ChannelDriver;
const tgMember = { id: '99101' };
const webMember = { id: 'web-steps-kept' };

beforeAll(async () => {
  h = await startBotHarness({ telegram: [TG] });
  tg = telegramDriver(h.deps, h.telegram, TG, 'telegram', 'polling');
  const tree = await makeOrgTree(h.t.db);
  const sec = await makeSecretary(h.t.db, tree.cellA);
  await linkChat(h.t.db, await makeMember(h.t.db, tree.cellA), 'telegram', tgMember.id, 'telegram');
  const webOne = await makeMember(h.t.db, tree.cellA);
  await h.web.signIn(webMember, (await issueLinkCode(h.deps, sec.principal, webOne.id)).code);
});
afterAll(async () => {
  await h?.close();
});

const count = async (table: string) =>
  (await h.t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

describe('a step in progress survives help and reloads', () => {
  for (const channel of ['telegram', 'web'] as const)
    it(`feedback half written: "trợ giúp" asks the step again; the text typed next is sent (${channel})`, async () => {
      const [driver, who] = channel === 'telegram' ? [tg, tgMember] : [h.web as ChannelDriver, webMember];
      expect((await driver.say(who, 'phản ánh')).join()).toContain('gõ nội dung phản ánh');
      const again = (await driver.say(who, 'trợ giúp')).join('\n');
      expect(again).toContain('bước này vẫn được giữ');
      expect(again).toContain('gõ nội dung phản ánh');
      const typed = (await driver.say(who, `Đèn đường thôn 3 hỏng (${channel})`)).join();
      // Telegram offers a photo next; the web chat, which cannot send one, sends the text at once.
      if (channel === 'telegram') {
        expect(typed).toContain('bước 2/2');
        await driver.choose(who, 'Gửi không kèm ảnh');
      } else expect(typed).toMatch(/Đã gửi phản ánh #\d+/);
      const rows = await h.t.db.query<{ body: string }>(`select body from feedback order by id desc limit 1`);
      expect(rows[0].body).toBe(`Đèn đường thôn 3 hỏng (${channel})`);
    });
});

describe('a number typed out of context', () => {
  for (const channel of ['telegram', 'web'] as const)
    it(`"0", "30", "19:00" with nothing waiting: clear message, nothing quoted or recorded (${channel})`, async () => {
      const [driver, who] = channel === 'telegram' ? [tg, tgMember] : [h.web as ChannelDriver, webMember];
      await driver.say(who, 'trợ giúp');
      const questions = await count('kb_questions');
      const ratings = await count('meeting_ratings');
      for (const n of ['0', '30', '19:00']) {
        const reply = (await driver.say(who, n)).join('\n');
        expect(reply).toContain(`Đồng chí vừa gõ «${n}»`);
        expect(reply).toContain('không có bước nào đang chờ một con số');
        expect(reply).not.toMatch(/Trợ lý ảo|Nguồn|trích/);
      }
      expect(await count('kb_questions')).toBe(questions);
      expect(await count('meeting_ratings')).toBe(ratings);
    });
});
