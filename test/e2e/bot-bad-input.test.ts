/**
 * Bad input at the bot edges: forged secrets, malformed and oversized bodies, unknown event
 * kinds, duplicates, and a failing handler — each gets a clear answer and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree } from '../factories/index.ts';
import type { Deps } from '../../api/context.ts';
import {
  startBotHarness,
  type BotHarness,
  type FakeTelegram,
  type FakeZalo,
  type Running,
} from '../support/bot-harness.ts';
import { deriveWebhookSecret } from '../../bot/webhook-secret.ts';
import { handleUpdate, APOLOGY } from '../../bot/core/conversation.ts';
import type { Command } from '../../bot/core/command.ts';

const TG = '333:SECRET-TOKEN-never-logged';
const ZL = 'zalo-secret-token-never-logged';
let h: BotHarness;
let t: TestDb;
let deps: Deps;
let logs = '';
let telegram: FakeTelegram;
let zalo: FakeZalo;
let svc: Running;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _e, cb) {
      logs += chunk;
      cb();
    },
  });
  h = await startBotHarness({
    telegram: [TG],
    zalo: [ZL],
    deps: (db) => ({ ...testDeps(db), log: pino({ level: 'info' }, sink) }),
    webhooks: true,
  });
  ({ t, deps, telegram, zalo, svc } = h);
});
afterAll(async () => {
  await h?.close();
});

const stored = async () => (await t.db.query<{ n: number }>(`select count(*)::int n from inbound_updates`))[0].n;
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${svc.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('webhook edges', () => {
  it('registered the webhooks with a secret', () => {
    expect(telegram.webhookOf(TG)?.url).toBe(`${svc.baseUrl}/webhooks/telegram/telegram`);
    expect(telegram.webhookOf(TG)?.secret).toBe(deriveWebhookSecret(deps.linkSecret, 'telegram:telegram'));
    expect(zalo.webhookOf(ZL)?.url).toBe(`${svc.baseUrl}/webhooks/zalo/zalo`);
  });

  it('a forged or missing secret gets 401 and nothing is stored', async () => {
    const before = await stored();
    const update = telegram.textUpdate({ fromId: 1, text: 'tro giup' });
    expect(await telegram.deliverWebhook(TG, update, 'forged')).toBe(401);
    expect((await post('/webhooks/telegram/telegram', JSON.stringify(update))).status).toBe(401);
    expect(await zalo.deliverWebhook(ZL, zalo.textUpdate({ userId: 'u1', text: 'x' }), 'forged')).toBe(401);
    expect(await stored()).toBe(before);
    expect(telegram.sentTo(1)).toEqual([]);
  });

  it('malformed JSON, non-updates, unknown bots and 10 MB bodies get 4xx and store nothing', async () => {
    const before = await stored();
    const secret = { 'x-telegram-bot-api-secret-token': telegram.webhookOf(TG)!.secret! };
    expect((await post('/webhooks/telegram/telegram', '{"update_id":', secret)).status).toBe(400);
    expect((await post('/webhooks/telegram/telegram', '{"hello":"world"}', secret)).status).toBe(400);
    expect((await post('/webhooks/telegram/nosuchbot', '{"update_id":1}', secret)).status).toBe(404);
    const huge = JSON.stringify({ update_id: 5, message: { text: 'x'.repeat(10 * 1024 * 1024) } });
    expect((await post('/webhooks/telegram/telegram', huge, secret)).status).toBe(413);
    const zsecret = { 'x-bot-api-secret-token': zalo.webhookOf(ZL)!.secret };
    expect((await post('/webhooks/zalo/zalo', '{"event_name":"message.text.received"}', zsecret)).status).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('a re-sent update is processed once', async () => {
    const update = telegram.textUpdate({ fromId: 42, text: 'tro giup' });
    expect(await telegram.deliverWebhook(TG, update)).toBe(200);
    expect(await telegram.deliverWebhook(TG, update)).toBe(200);
    await telegram.waitForSent(42, 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(telegram.sentTo(42)).toHaveLength(1);
    expect(
      (
        await t.db.query(`select count(*)::int n from inbound_updates where update_id = $1`, [String(update.update_id)])
      )[0].n,
    ).toBe(1);
  });

  it('an unsupported Zalo event (a sticker) gets a short help, not silence or a crash', async () => {
    expect(await zalo.deliverWebhook(ZL, zalo.stickerUpdate({ userId: 'sticker-user' }))).toBe(200);
    const [reply] = await zalo.waitForSent('sticker-user');
    expect(reply.text).toMatch(/chưa được liên kết/);
  });

  it('an update accepted before the worker runs is processed later (the inbox is durable)', async () => {
    await svc.bots.inbox.stop();
    const update = telegram.textUpdate({ fromId: 43, text: 'tro giup' });
    expect(await telegram.deliverWebhook(TG, update)).toBe(200);
    expect(telegram.sentTo(43)).toEqual([]);
    svc.bots.inbox.start();
    await telegram.waitForSent(43, 1);
  });

  it('bot tokens and message text never reach the logs', () => {
    expect(logs).not.toContain('SECRET-TOKEN');
    expect(logs).not.toContain('secret-token-never-logged');
    expect(logs).not.toContain('tro giup');
  });
});

describe('a failing command', () => {
  it('gets a short apology, and the log line has no message text', async () => {
    const tree = await makeOrgTree(t.db);
    const member = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, member, 'telegram', '777', 'telegram');
    const broken: Command = {
      name: 'hong',
      aliases: [],
      summary: '',
      audience: 'member',
      chats: 'any',
      async run() {
        throw new Error('database exploded');
      },
    };
    const before = logs.length;
    const replies = await handleUpdate(
      deps,
      {
        channel: 'telegram',
        botKey: 'telegram',
        updateId: 'x1',
        from: { id: '777' },
        chat: { id: '777', kind: 'private' },
        text: 'hong bí mật riêng tư',
        receivedAt: new Date(),
      },
      { orgId: null },
      [broken],
    );
    expect(replies).toEqual([{ text: APOLOGY }]);
    const line = logs.slice(before);
    expect(line).toContain('chat update failed');
    expect(line).not.toContain('bí mật riêng tư');
  });
});
