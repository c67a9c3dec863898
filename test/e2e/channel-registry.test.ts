/**
 * CONTRIBUTING.md's "Adding a channel", kept honest: a channel registered only in this test
 * (test/support/signed-channel: a body-signing webhook, numbered choices, an in-memory
 * platform) goes through the whole conversation — verified webhook, durable inbox, core,
 * outbox — with no other change to the code; the database accepts it because the registry
 * wrote its name. The registry is also the one list the rest derives from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../api/context.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { CHANNELS } from '../../bot/channels.ts';
import { readBotConfigs } from '../../bot/bots.ts';
import { testDeps } from '../support/app.ts';
import { startServiceWithBots, waitFor, type Running } from '../support/bot-harness.ts';
import { createTestDb, type TestDb } from '../support/db.ts';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { sign, signedModule, signedSent } from '../support/signed-channel/module.ts';

const SECRET = 'signed-test-secret';
let t: TestDb;
let deps: Deps;
let svc: Running;
let n = 0;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db);
  svc = await startServiceWithBots(deps, { SIGNED_BOT_TOKEN: 'x', WEBHOOK_SECRET: SECRET }, true, [
    ...CHANNELS,
    signedModule,
  ]);
});
afterAll(async () => {
  await svc?.close();
  await t?.close();
});

async function post(sender: string, text: string, signature?: string) {
  const body = JSON.stringify({ mid: `m-${++n}`, sender, text });
  const res = await fetch(`${svc.baseUrl}/webhooks/signed/signed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature ?? sign(SECRET, body) },
    body,
  });
  return res.status;
}

async function say(sender: string, text: string): Promise<string> {
  const before = signedSent.filter((m) => m.chatId === sender).length;
  expect(await post(sender, text)).toBe(200);
  const fresh = await waitFor(
    () =>
      signedSent.filter((m) => m.chatId === sender).length > before && signedSent.filter((m) => m.chatId === sender),
    15_000,
    `a reply to ${sender}`,
  );
  // Every reply that has arrived: an answer may come in two messages (a confirmation, then the menu).
  return fresh
    .slice(before)
    .map((m) => m.text)
    .join('\n');
}

describe('a channel added in its own folder plus one registry line', () => {
  it('answers a stranger, links with a code, then serves the member', async () => {
    expect(await say('s-1', 'tro giup')).toMatch(/chưa được liên kết/);
    const tree = await makeOrgTree(t.db);
    const issuer = (await makeSecretary(t.db, tree.cellA)).principal;
    const member = await makeMember(t.db, tree.cellA, { fullName: 'Đào Thị Kênh Mới' });
    const { code } = await issueLinkCode(deps, issuer, member.id);
    expect(await say('s-1', code)).toMatch(/Đã liên kết tài khoản với đảng viên Đào Thị Kênh Mới/);
    expect(await say('s-1', 'tro giup')).toContain('Xem thêm');
    const [account] = await t.db.query(`select channel, bot_key from chat_accounts where external_user_id = 's-1'`);
    expect(account).toEqual({ channel: 'signed', bot_key: 'signed' });
  });

  it('a body with a wrong signature gets 401 and nothing is stored', async () => {
    const before = (await t.db.query(`select count(*)::int as n from inbound_updates where channel = 'signed'`))[0].n;
    expect(await post('s-2', 'tro giup', sign('wrong', '{}'))).toBe(401);
    const after = (await t.db.query(`select count(*)::int as n from inbound_updates where channel = 'signed'`))[0].n;
    expect(after).toBe(before);
  });

  it('the registry is the one list: configuration and the database refuse an unknown channel', async () => {
    expect(() => readBotConfigs({ BOTS: '[{"key":"x","channel":"signed","token":"t"}]' })).toThrow(/telegram\|zalo/);
    expect(
      readBotConfigs({ BOTS: '[{"key":"x","channel":"signed","token":"t"}]' }, [...CHANNELS, signedModule]),
    ).toEqual([{ key: 'x', channel: 'signed', token: 't', orgId: null }]);
    await expect(
      t.db.query(
        `insert into outbox_messages (channel, bot_key, chat_id, kind, payload)
         values ('messenger', 'x', '1', 'k', '{}')`,
      ),
    ).rejects.toThrow();
  });
});
