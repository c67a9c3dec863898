/**
 * The same conversation, written once, on every channel: Telegram (long polling and
 * webhook) through the real telegraf client, Zalo (polling and webhook) through our Zalo
 * client, and the web chat through its HTTP API — all against fakes on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../support/db.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import type { Deps } from '../../api/context.ts';
import type { Principal } from '../../api/auth/principal.ts';
import {
  startBotHarness,
  telegramDriver,
  type WebDriver,
  zaloDriver,
  type BotHarness,
  type ChannelDriver,
  type FakeTelegram,
  type FakeZalo,
  type Person,
} from '../support/bot-harness.ts';

const TG_POLL = '111:POLL-TOKEN';
const TG_HOOK = '222:HOOK-TOKEN';
const ZALO_POLL = 'zalo-poll-token';
const ZALO_HOOK = 'zalo-hook-token';

let h: BotHarness;
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let zalo: FakeZalo;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;
let issuer: Principal;
let web: WebDriver;
let drivers: ChannelDriver[] = [];

beforeAll(async () => {
  const bots = (poll: boolean) =>
    JSON.stringify([
      {
        key: poll ? 'tgpoll' : 'tghook',
        channel: 'telegram',
        token: poll ? TG_POLL : TG_HOOK,
        orgId: tree.province.id,
      },
      { key: poll ? 'zpoll' : 'zhook', channel: 'zalo', token: poll ? ZALO_POLL : ZALO_HOOK },
    ]);
  h = await startBotHarness({
    telegram: [TG_POLL, TG_HOOK],
    zalo: [ZALO_POLL, ZALO_HOOK],
    // The provincial bots serve the tree made first.
    env: async (base) => {
      tree = await makeOrgTree(base.t.db);
      issuer = (await makeSecretary(base.t.db, tree.cellA)).principal;
      return { BOTS: bots(true) };
    },
  });
  ({ t, deps, telegram, zalo } = h);
  await h.startService({ BOTS: bots(false) }, true);
  web = h.web;
  drivers = [
    telegramDriver(deps, telegram, TG_POLL, 'tgpoll', 'polling'),
    telegramDriver(deps, telegram, TG_HOOK, 'tghook', 'webhook'),
    zaloDriver(deps, zalo, ZALO_POLL, 'zpoll', 'polling'),
    zaloDriver(deps, zalo, ZALO_HOOK, 'zhook', 'webhook'),
    web,
  ];
});

afterAll(async () => {
  await h?.close();
});

let nextPerson = 7_000_000;
const person = (): Person => ({ id: String(nextPerson++) });

async function link(driver: ChannelDriver, who: Person, code: string): Promise<string[]> {
  if (driver.channel === 'web') {
    const res = await web.signIn(who, code);
    const body = (await res.json()) as { name?: string; message?: string };
    return [res.ok ? `Đã liên kết tài khoản với đảng viên ${body.name}.` : body.message!];
  }
  return driver.say(who, driver.channel === 'telegram' ? `/start ${code}` : code);
}

const CHANNELS = ['telegram polling', 'telegram webhook', 'zalo polling', 'zalo webhook', 'web chat'];

describe.each(CHANNELS)('conversation on %s', (name) => {
  const driver = () => drivers.find((d) => d.name === name)!;

  it('an unlinked account is told how to link and nothing else happens', async () => {
    const who = person();
    const [reply] = await driver().say(who, 'tro giup');
    if (driver().channel === 'web') expect(reply).toMatch(/chưa đăng nhập/);
    else {
      expect(reply).toMatch(/chưa được liên kết/);
      expect(reply).toContain(driver().channel === 'telegram' ? '/start' : 'lienket');
    }
    expect(await t.db.query(`select 1 from chat_accounts where external_user_id = $1`, [who.id])).toEqual([]);
  });

  it('links with a one-time code, which cannot be used twice', async () => {
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Lê Thị Liên Kết' });
    const { code } = await issueLinkCode(deps, issuer, member.id);
    const [linked] = await link(driver(), person(), code);
    expect(linked).toMatch(/^Đã liên kết tài khoản với đảng viên Lê Thị Liên Kết\./);
    const [again] = await link(driver(), person(), code);
    expect(again).toMatch(/không đúng, đã dùng hoặc đã hết hạn/);
  });

  it('understands commands typed any way: slash, diacritics or not, any case, a typo', async () => {
    const who = person();
    const member = await makeMember(t.db, tree.cellA);
    await link(driver(), who, (await issueLinkCode(deps, issuer, member.id)).code);
    for (const typed of ['/trogiup', 'trợ giúp', 'Tro Giup', 'TRO GIUP', 'tro giupp', 'xem them']) {
      const replies = await driver().say(who, typed);
      expect(replies.join('\n'), typed).toMatch(/Các việc khác|Đồng chí chọn việc bên dưới/);
      expect(replies.join('\n'), typed).not.toContain('Dành cho bí thư');
    }
    expect((await driver().say(who, '😀👍')).join()).toMatch(/chưa hiểu/);
  });

  it('every usual way to ask for help reaches one short screen; "xem thêm" lists the rest', async () => {
    const who = person();
    const member = await makeMember(t.db, tree.cellA);
    await link(driver(), who, (await issueLinkCode(deps, issuer, member.id)).code);
    const asks = [
      'giúp',
      'giup',
      'trợ giúp',
      'tro giup',
      'hướng dẫn',
      'huong dan',
      'menu',
      'MENU',
      '/help',
      '/trogiup',
    ];
    if (driver().channel === 'telegram') asks.push('/start');
    for (const typed of asks) {
      const help = (await driver().say(who, typed)).find((r) => r.includes('Đồng chí chọn việc bên dưới'));
      expect(help, typed).toBeDefined();
      // One phone screen: the text itself is at most 8 lines (Zalo adds its short numbered menu).
      expect(help!.split('Trả lời bằng số:')[0].trim().split('\n').length, typed).toBeLessThanOrEqual(8);
      expect(help, typed).not.toContain('/');
    }
    // "Xem thêm": the other things as choices with a line each, no slash commands (issue 24)…
    const more = (await driver().say(who, 'xem thêm')).join('\n');
    expect(more).toContain('• Nhiệm vụ — xem nhiệm vụ được giao');
    expect(more).toContain('gõ "hủy liên kết"');
    expect(more).not.toMatch(/\/[a-z]+/);
    // …and every command only when asked for by name, never /admin to a plain member.
    const all = (await driver().say(who, 'tất cả lệnh')).join('\n');
    expect(all).toContain('/huylienket');
    expect(all).toContain('/nhiemvu');
    expect(all).not.toContain('/admin');
    // A question that merely starts with "giúp" still goes to the assistant.
    expect((await driver().say(who, 'giúp tôi tính đảng phí hưu trí')).join()).not.toContain('Đồng chí chọn việc');
  });

  it('shows a secretary the secretary commands', async () => {
    const who = person();
    const sec = await makeSecretary(t.db, tree.cellB);
    await link(driver(), who, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    const help = (await driver().say(who, 'tro giup')).join('\n');
    expect(help).toContain('Dành cho bí thư chi bộ');
    expect(help).toContain('ganchibo');
    const more = (await driver().say(who, 'xem them')).join('\n');
    expect(more).toContain('• Trang quản trị — mở trang quản trị trên máy tính');
    expect(more).toContain('ganchibo');
    expect((await driver().say(who, 'tat ca lenh')).join('\n')).toContain('/mobieuquyet');
  });

  it('unlinks, after which the account is a stranger again', async () => {
    const who = person();
    const member = await makeMember(t.db, tree.cellA);
    await link(driver(), who, (await issueLinkCode(deps, issuer, member.id)).code);
    expect((await driver().say(who, 'huy lien ket')).join()).toMatch(/Đã hủy liên kết/);
    const after = (await driver().say(who, 'tro giup')).join();
    expect(after).toMatch(driver().channel === 'web' ? /chưa đăng nhập/ : /chưa được liên kết/);
  });
});

describe.each(CHANNELS.filter((c) => !c.startsWith('web')))('cell group on %s', (name) => {
  const driver = () => drivers.find((d) => d.name === name)!;

  it('the secretary binds the group with a code; chatter and strangers are ignored; members cannot bind', async () => {
    const secretary = person();
    const sec = await makeSecretary(t.db, tree.cellB);
    await link(driver(), secretary, (await issueLinkCode(deps, sec.principal, sec.member.id)).code);
    const [codeReply] = await driver().say(secretary, 'gan chi bo');
    const code = /: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(codeReply)![1];
    const group = { id: String(nextPerson++) };
    expect((await driver().say(secretary, `/ganchibo ${code}`, group)).join()).toContain(
      `Đã gắn nhóm này với ${tree.cellB.name}`,
    );
    const bound = await t.db.query(
      `select org_id from chat_groups where channel = $1 and unbound_at is null and chat_id like $2`,
      [driver().channel, `%${group.id}`],
    );
    expect(bound).toEqual([{ org_id: tree.cellB.id }]);

    expect(await driver().say(secretary, 'Chào cả nhà, tối nay họp nhé', group)).toEqual([]);
    expect(await driver().say(person(), 'xin chào', group)).toEqual([]);

    const member = person();
    const m = await makeMember(t.db, tree.cellB);
    await link(driver(), member, (await issueLinkCode(deps, sec.principal, m.id)).code);
    expect((await driver().say(member, '/ganchibo ABCDE-12345', group)).join()).toMatch(/dành cho bí thư/);
  });
});

describe('one bot per province', () => {
  it('a provincial bot refuses to link a member of another province, and the code stays usable', async () => {
    const other = await makeOrgTree(t.db);
    const outsider = await makeMember(t.db, other.cellA);
    const sec = await makeSecretary(t.db, other.cellA);
    const { code } = await issueLinkCode(deps, sec.principal, outsider.id);
    const tg = drivers[0];
    const [reply] = await tg.say(person(), `/start ${code}`);
    expect(reply).toMatch(/phục vụ đảng bộ khác/);
    // The Zalo bot in this test serves everyone, so the same code still links there.
    const [ok] = await drivers[2].say(person(), code);
    expect(ok).toMatch(/Đã liên kết/);
  });
});
