/**
 * The outbox worker against a fake Telegram that enforces limits and fails on purpose:
 * 429 with retry_after, blocked users, missing chats, server errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import { testDeps } from '../support/app.ts';
import { linkChat, makeMember, makeOrgTree } from '../factories/index.ts';
import { enqueueForMembers } from '../../api/outbox/enqueue.ts';
import { startOutboxWorker } from '../../api/outbox/worker.ts';
import { createBots } from '../../bot/bots.ts';
import type { Deps } from '../../api/context.ts';
import { FakeTelegram, waitFor } from '../support/bot-harness.ts';

const TG = '4242:WORKER';
const TG_OTHER = '4343:OTHER';
let t: TestDb;
let deps: Deps;
let telegram: FakeTelegram;
let tree: Awaited<ReturnType<typeof makeOrgTree>>;

beforeAll(async () => {
  t = await createTestDb();
  deps = testDeps(t.db);
  telegram = await new FakeTelegram([TG, TG_OTHER]).start();
  tree = await makeOrgTree(t.db);
});
afterAll(async () => {
  await telegram?.close();
  await t?.close();
});

async function members(n: number, firstChat: number) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = await makeMember(t.db, tree.cellA);
    await linkChat(t.db, m, 'telegram', String(firstChat + i), 'telegram');
    ids.push(m.id);
  }
  return ids;
}

function worker(perSecond: number) {
  const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root });
  return startOutboxWorker(deps, bots.senders, {
    idlePollMs: 20,
    limits: { telegram: { perSecond, privateChatGapMs: 0 } },
  });
}

const statuses = async (kind: string) =>
  t.db.query<{ status: string; last_error: string | null; chat_id: string }>(
    `select status, last_error, chat_id from outbox_messages where kind = $1 order by chat_id`,
    [kind],
  );

describe('outbox worker', () => {
  it('waits out 429 retry_after and still delivers everything exactly once', async () => {
    telegram.limits = { globalPerSecond: 10, paidPerSecond: 1000, perChatPerSecond: 1, perGroupPerMinute: 20 };
    const ids = await members(30, 61000);
    await enqueueForMembers(t.db, ids, { text: 'Kiểm tra giới hạn' }, { kind: 'limit-test' });
    const w = worker(100); // deliberately faster than the server allows
    await waitFor(async () => (await statuses('limit-test')).every((r) => r.status === 'sent'), 20_000, 'all sent');
    await w.stop();
    expect(telegram.tooManyRequests).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) expect(telegram.sentTo(61000 + i)).toHaveLength(1);
    telegram.limits = null;
  });

  it('marks blocked users and missing chats failed with the reason, without retrying', async () => {
    const ids = await members(3, 62000);
    telegram.blockChat(62000);
    telegram.missingChat(62001);
    await enqueueForMembers(t.db, ids, { text: 'Thông báo' }, { kind: 'perm-test' });
    const w = worker(30);
    await waitFor(
      async () => (await statuses('perm-test')).every((r) => r.status !== 'queued' && r.status !== 'sending'),
      10_000,
      'settled',
    );
    await w.stop();
    const rows = await statuses('perm-test');
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'sent']);
    expect(rows[0].last_error).toMatch(/403.*blocked/);
    expect(rows[1].last_error).toMatch(/400.*chat not found/);
    expect(
      (await t.db.query(`select attempts from outbox_messages where kind = 'perm-test' and status = 'failed'`)).map(
        (r) => r.attempts,
      ),
    ).toEqual([1, 1]);
  });

  it('retries server errors with backoff', async () => {
    const ids = await members(1, 63000);
    telegram.failNext(2, 502);
    await enqueueForMembers(t.db, ids, { text: 'Thử lại' }, { kind: 'retry-test' });
    const w = worker(30);
    await waitFor(async () => (await statuses('retry-test'))[0].status === 'sent', 15_000, 'sent after retries');
    await w.stop();
    expect((await t.db.query(`select attempts from outbox_messages where kind = 'retry-test'`))[0].attempts).toBe(3);
  });

  it('sends the replies to one chat in order under per-chat pacing, a retried one included', async () => {
    const chat = '66000';
    // Five replies to one member, as the inbox queues them (the reply lane); the first meets two 502s.
    for (let i = 1; i <= 5; i++) {
      await t.db.query(
        `insert into outbox_messages (channel, bot_key, chat_id, kind, payload, lane)
         values ('telegram', 'telegram', $1, 'reply', $2::jsonb, 0)`,
        [chat, JSON.stringify({ text: `Trả lời ${i}` })],
      );
    }
    telegram.failNext(2, 502);
    const bots = createBots(deps, { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_API_ROOT: telegram.root });
    const w = startOutboxWorker(deps, bots.senders, {
      idlePollMs: 20,
      limits: { telegram: { perSecond: 30, privateChatGapMs: 300 } },
    });
    await waitFor(() => telegram.sentTo(chat).length === 5, 20_000, 'five replies');
    await w.stop();
    expect(telegram.sentTo(chat).map((m) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `Trả lời ${i}`));
  });

  it('a reply that fails keeps the reason, not its text (a console link in it)', async () => {
    const chat = '67000';
    telegram.blockChat(chat);
    await t.db.query(
      `insert into outbox_messages (channel, bot_key, chat_id, kind, payload, lane)
       values ('telegram', 'telegram', $1, 'reply', $2::jsonb, 0)`,
      [
        chat,
        JSON.stringify({
          text: 'Đường dẫn vào trang quản trị',
          link: { label: 'Mở', url: 'http://x/console/login/s' },
        }),
      ],
    );
    const w = worker(30);
    await waitFor(
      async () =>
        (await t.db.query(`select 1 from outbox_messages where chat_id = $1 and status = 'failed'`, [chat])).length > 0,
      10_000,
      'failed',
    );
    await w.stop();
    const [row] = await t.db.query<{ payload: unknown; last_error: string }>(
      `select payload, last_error from outbox_messages where chat_id = $1`,
      [chat],
    );
    expect(row.payload).toEqual({});
    expect(row.last_error).toMatch(/403.*blocked/);
  });

  it('never queues the same logical message twice (dedupe keys)', async () => {
    const ids = await members(2, 64000);
    expect(await enqueueForMembers(t.db, ids, { text: 'A' }, { kind: 'dedupe-test', dedupePrefix: 'x:1' })).toBe(2);
    expect(await enqueueForMembers(t.db, ids, { text: 'A' }, { kind: 'dedupe-test', dedupePrefix: 'x:1' })).toBe(0);
  });

  it("leaves another bot's messages to the instance that serves it, instead of failing them", async () => {
    const [id] = await members(1, 65000);
    await t.db.query(`update chat_accounts set bot_key = 'other' where member_id = $1`, [id]);
    await enqueueForMembers(t.db, [id], { text: 'Cho bot khác' }, { kind: 'other-bot' });
    const w = worker(30); // serves only the bot "telegram"
    await new Promise((r) => setTimeout(r, 300));
    expect((await statuses('other-bot'))[0].status).toBe('queued');
    await w.stop();

    const bots = createBots(deps, {
      BOTS: JSON.stringify([{ key: 'other', channel: 'telegram', token: TG_OTHER }]),
      TELEGRAM_API_ROOT: telegram.root,
    });
    const other = startOutboxWorker(deps, bots.senders, { idlePollMs: 20 });
    await waitFor(async () => (await statuses('other-bot'))[0].status === 'sent', 10_000, 'sent by its own bot');
    await other.stop();
    expect(telegram.sentTo(65000).map((m) => m.text)).toEqual(['Cho bot khác']);
  });
});
