/**
 * Replies are messages like any other: they go through the durable outbox, so a 429 or a
 * server error from Telegram delays a reply instead of losing it, and a reply overtakes a
 * broadcast that is still being sent. The inbox keeps ids, not payloads, once processed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { makeLinkedMembersInBulk, makeOrgTree } from '../factories/index.ts';
import { enqueueForMembers } from '../../api/outbox/enqueue.ts';
import type { Deps } from '../../api/context.ts';
import { FakeTelegram, startServiceWithBots, telegramDriver, waitFor, type Running } from '../support/bot-harness.ts';

const TG = '5151:REPLIES';
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let svc: Running;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db);
  telegram = await new FakeTelegram([TG]).start();
  svc = await startServiceWithBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root }, true);
});
afterAll(async () => {
  await svc?.close();
  await telegram?.close();
  await t?.close();
});

const replyRows = (chatId: string) =>
  t.db.query<{ status: string; attempts: number; last_error: string | null; lane: number }>(
    `select status, attempts, last_error, lane from outbox_messages where kind = 'reply' and chat_id = $1`,
    [chatId],
  );

describe('replies through the outbox', () => {
  it('a reply refused with 429 retry_after is sent after the pause, once', async () => {
    const driver = telegramDriver(deps, telegram, TG, 'telegram', 'webhook');
    telegram.failNext(1, 429, 2);
    const before = telegram.tooManyRequests;
    const texts = await driver.say({ id: '7001' }, '/help');
    expect(telegram.tooManyRequests).toBe(before + 1);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/liên kết/i);
    const [row] = await replyRows('7001');
    // a 429 is the platform's pacing, not a failed attempt
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lane: 0 });
  });

  it('a reply that meets two server errors is retried with backoff and delivered', async () => {
    const driver = telegramDriver(deps, telegram, TG, 'telegram', 'webhook');
    telegram.failNext(2, 502);
    const texts = await driver.say({ id: '7002' }, '/help');
    expect(texts).toHaveLength(1);
    const [row] = await replyRows('7002');
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('a member’s reply overtakes a broadcast still being sent', async () => {
    const tree = await makeOrgTree(t.db);
    const members = await makeLinkedMembersInBulk(t.db, tree.cellA, 300, 8_000_001);
    // 300 messages at Telegram's 30/s take ten seconds
    await enqueueForMembers(t.db, members, { text: 'Thông báo toàn tỉnh' }, { kind: 'national' });
    await waitFor(() => telegram.sent.some((m) => m.text === 'Thông báo toàn tỉnh'), 10_000, 'broadcast started');
    const driver = telegramDriver(deps, telegram, TG, 'telegram', 'webhook');
    const texts = await driver.say({ id: '7003' }, '/help');
    expect(texts).toHaveLength(1);
    const broadcastSent = telegram.sent.filter((m) => m.text === 'Thông báo toàn tỉnh').length;
    expect(broadcastSent).toBeLessThan(150);
  });

  it('keeps ids, not payloads, of processed updates; the reply text is dropped once sent', async () => {
    const driver = telegramDriver(deps, telegram, TG, 'telegram', 'webhook');
    await driver.say({ id: '7004' }, 'tro giup');
    const rows = await t.db.query<{ payload: unknown; chat_key: string | null; update_id: string }>(
      `select payload, chat_key, update_id from inbound_updates where processed_at is not null`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.payload).toBeNull();
      expect(r.chat_key).toBeNull();
      expect(r.update_id).toMatch(/^\d+$/);
    }
    const [reply] = await replyRows('7004');
    expect(reply.status).toBe('sent');
    const [{ payload }] = await t.db.query(
      `select payload from outbox_messages where kind = 'reply' and chat_id = '7004'`,
    );
    expect(payload).toEqual({});
  });
});
