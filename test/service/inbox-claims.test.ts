/**
 * The inbox on one database shared by several workers: each update is claimed by one
 * worker, one chat's updates go in order, and a worker whose lease was taken over cannot
 * complete the update or queue its replies a second time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';
import {
  claimUpdates,
  completeUpdates,
  extendUpdateLeases,
  insertUpdate,
  insertUpdateBatched,
} from '../../api/inbox/repository.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const BOTS = ['telegram:claims'];
const store = (updateId: string, chatKey: string) =>
  insertUpdate(t.db, { channel: 'telegram', botKey: 'claims', updateId, chatKey, payload: { update_id: updateId } });
const reply = (chatId: string) => ({
  channel: 'telegram',
  botKey: 'claims',
  chatId,
  payload: { text: 'Đã nhận' },
});
const repliesTo = async (chatId: string) =>
  (
    await t.db.query<{ n: number }>(
      `select count(*)::int as n from outbox_messages where kind = 'reply' and bot_key = 'claims' and chat_id = $1`,
      [chatId],
    )
  )[0].n;

describe('inbox claims', () => {
  it('two workers never hold the same update, and a chat’s second update waits for its first', async () => {
    await store('1', 'chat-a');
    await store('2', 'chat-a');
    await store('3', 'chat-b');
    const a = await claimUpdates(t.db, 'worker-a', BOTS, 30, 10);
    const b = await claimUpdates(t.db, 'worker-b', BOTS, 30, 10);
    // worker a took the first update of each chat; chat-a's second waits, so b gets nothing
    expect(a.map((r) => (r.payload as { update_id: string }).update_id)).toEqual(['1', '3']);
    expect(b).toEqual([]);
    await completeUpdates(t.db, 'worker-a', [{ id: a[0].id, replies: [reply('chat-a')] }]);
    const next = await claimUpdates(t.db, 'worker-b', BOTS, 30, 10);
    expect(next.map((r) => (r.payload as { update_id: string }).update_id)).toEqual(['2']);
    await completeUpdates(t.db, 'worker-b', [
      { id: next[0].id, replies: [] },
      { id: a[1].id, replies: [] },
    ]);
    // a[1] belongs to worker-a: b could not complete it
    expect(await claimUpdates(t.db, 'worker-c', BOTS, 30, 10)).toEqual([]);
    const done = await completeUpdates(t.db, 'worker-a', [{ id: a[1].id, replies: [] }]);
    expect(done.completed).toEqual([a[1].id]);
  });

  it('a lapsed lease is taken over; the first worker then cannot complete it or reply twice', async () => {
    const id = (await store('10', 'chat-c'))!;
    const [first] = await claimUpdates(t.db, 'slow', BOTS, 0.2, 10);
    expect(first.id).toBe(id);
    await new Promise((r) => setTimeout(r, 400));
    const [again] = await claimUpdates(t.db, 'fast', BOTS, 30, 10);
    expect(again.id).toBe(id);
    expect(again.attempts).toBe(2);
    expect((await completeUpdates(t.db, 'fast', [{ id, replies: [reply('chat-c')] }])).completed).toEqual([id]);
    const late = await completeUpdates(t.db, 'slow', [{ id, replies: [reply('chat-c')] }]);
    expect(late).toEqual({ completed: [], queued: 0 });
    expect(await repliesTo('chat-c')).toBe(1);
  });

  it('a worker that extends its lease keeps its update', async () => {
    const id = (await store('20', 'chat-d'))!;
    await claimUpdates(t.db, 'busy', BOTS, 0.3, 10);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      await extendUpdateLeases(t.db, 'busy', [id], 0.3);
    }
    expect(await claimUpdates(t.db, 'other', BOTS, 30, 10)).toEqual([]);
    expect((await completeUpdates(t.db, 'busy', [{ id, replies: [] }])).completed).toEqual([id]);
  });

  it('a processed update keeps its ids only, and a re-sent one is refused as a duplicate', async () => {
    const id = (await store('30', 'chat-e'))!;
    await claimUpdates(t.db, 'w', BOTS, 30, 10);
    await completeUpdates(t.db, 'w', [{ id, replies: [] }]);
    const [row] = await t.db.query(
      `select update_id, payload, chat_key, claimed_by from inbound_updates where id = $1`,
      [id],
    );
    expect(row).toEqual({ update_id: '30', payload: null, chat_key: null, claimed_by: null });
    expect(await store('30', 'chat-e')).toBeNull();
  });

  it('a claim after statistics taken while nothing was pending does not walk the inbox per candidate', async () => {
    // Between evenings the inbox holds processed updates only, and an ANALYZE then records no pending
    // update at all; an evening's taps arrive afterwards: 1 000 members, a check-in and a vote each.
    await t.db.query(
      `insert into inbound_updates (channel, bot_key, update_id, processed_at)
       select 'telegram', 'stale', 'old-' || g, now() from generate_series(1, 2000) g`,
    );
    await t.db.exec('analyze inbound_updates');
    await t.db.query(
      `insert into inbound_updates (channel, bot_key, update_id, chat_key, payload)
       select 'telegram', 'stale', 'tap-' || g, 'member-' || ((g + 1) / 2), '{}'::jsonb
         from generate_series(1, 2000) g`,
    );
    // Another instance is working on the first 600 members' check-ins; their votes wait.
    expect(await claimUpdates(t.db, 'busy-worker', ['telegram:stale'], 30, 600)).toHaveLength(600);
    const [explained] = await t.db.query<{ 'QUERY PLAN': unknown }>(
      `explain (analyze, buffers, format json)
       select * from claim_inbound_updates('stale-worker', array['telegram:stale'], 30, 64, 0)`,
    );
    const raw = explained['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: Record<string, number> }];
    const claimed = await t.db.query<{ update_id: string }>(
      `select update_id from inbound_updates where claimed_by = 'stale-worker' order by id`,
    );
    // The next members' check-ins, never a vote before its check-in.
    expect(claimed.map((r) => r.update_id)).toEqual(Array.from({ length: 64 }, (_, i) => `tap-${1201 + 2 * i}`));
    // The check for a chat's earlier update is one index probe per candidate (5 600 pages in all here).
    // The plan that walked the pending updates below each candidate read about 520 000 here, and took
    // a second a claim on an evening's inbox (docs/benchmarks.md, fourth session).
    const pages = plan[0].Plan['Shared Hit Blocks'] + plan[0].Plan['Shared Read Blocks'];
    expect(pages).toBeLessThan(20_000);
  });

  it('webhook calls arriving together are stored once each, in arrival order, re-sent ones refused', async () => {
    // 100 calls at once: 40 chats × 2 updates, and one chat in 4 has each update sent twice (a platform's retry).
    const calls: { updateId: string; chatKey: string }[] = [];
    for (let k = 0; k < 2; k++)
      for (let c = 0; c < 40; c++) {
        const u = { updateId: `burst-${k}-${c}`, chatKey: `burst-chat-${c}` };
        calls.push(u);
        if (c % 4 === 0) calls.push(u);
      }
    const ids = await Promise.all(
      calls.map((u) =>
        insertUpdateBatched(t.db, { channel: 'telegram', botKey: 'burst', ...u, payload: { update_id: u.updateId } }),
      ),
    );
    const stored = ids.filter((id) => id !== null);
    expect(stored).toHaveLength(80);
    expect(new Set(stored).size).toBe(80);
    // Each of the 20 re-sent calls was refused as a duplicate.
    expect(ids.filter((id) => id === null)).toHaveLength(20);
    const rows = await t.db.query<{ update_id: string; chat_key: string }>(
      `select update_id, chat_key from inbound_updates where bot_key = 'burst' order by id`,
    );
    expect(rows).toHaveLength(80);
    // A chat's first update has the lower id: claimed (and answered) first.
    for (let c = 0; c < 40; c++)
      expect(rows.filter((r) => r.chat_key === `burst-chat-${c}`).map((r) => r.update_id)).toEqual([
        `burst-0-${c}`,
        `burst-1-${c}`,
      ]);
  });
});
