/**
 * The outbox's SQL for send workers. A row is claimed in a worker's name under a lease
 * (status 'sending', next_attempt_at = lease end) the worker extends while the row waits
 * for a slot or a 429 pause; every later change of the row is fenced by `claimed_by`.
 * Send slots of a bot and the next moment per chat are rows too, taken atomically, so the
 * limits hold across all workers of all processes together.
 */
import type { Sql } from '../db/connect.ts';
import { OUTBOX_WAKE_CHANNEL } from '../inbox/repository.ts';
import type { OutboundPayload } from './enqueue.ts';

export interface OutboxRow {
  id: number;
  channel: string;
  bot_key: string;
  chat_id: string;
  org_id: number | null;
  lane: number;
  payload: OutboundPayload;
  attempts: number;
}

export const LANE = { reply: 0, bulk: 1 } as const;

/** A bot's send pace: its normal limit, or paid broadcast (its own, higher limit). */
export interface PacedBot {
  channel: string;
  botKey: string;
  pace: 'normal' | 'paid';
}

/**
 * Claims due messages of one lane for `owner`, only of the bots given (`channel:bot` keys):
 * instances that serve different bots share one outbox, and none fails another's messages.
 * Only the earliest unsent message of each chat is claimable: one waiting for its chat's
 * turn or retried after an error holds the later ones back, so a chat gets its messages in
 * the order they were queued (the reply lane and the broadcast lane each in its own order).
 * The statement is the function `claim_outbox_messages` (migration 141): planned on every call,
 * it walks the due index in order and asks each candidate's chat for its first unsent id. As a
 * prepared statement its plan, made while the outbox was empty, read the whole outbox for every
 * candidate once an evening's replies were queued (1.5–2 s a claim; issue 31).
 */
export async function claimMessages(
  sql: Sql,
  o: { owner: string; lane: number; bots: string[]; leaseSeconds: number; limit: number },
): Promise<OutboxRow[]> {
  const rows = await sql.query<OutboxRow>(`select * from claim_outbox_messages($1, $2, $3, $4::text[], $5)`, [
    o.owner,
    o.leaseSeconds,
    o.lane,
    o.bots,
    o.limit,
  ]);
  return rows.sort((a, b) => a.id - b.id);
}

export async function extendMessageLeases(sql: Sql, owner: string, ids: number[], leaseSeconds: number) {
  if (ids.length === 0) return;
  await sql.query(
    `update outbox_messages set next_attempt_at = now() + make_interval(secs => $3)
      where id = any($2::bigint[]) and claimed_by = $1 and status = 'sending'`,
    [owner, ids, leaseSeconds],
  );
}

/**
 * Takes the next `count` send slots of a bot: the slot row moves `count` intervals on,
 * atomically, so concurrent workers get distinct slots. Returns how many ms from now the
 * first slot is; the others follow one interval apart.
 */
export async function takeSendSlots(sql: Sql, bot: PacedBot, intervalMs: number, count: number): Promise<number> {
  const [r] = await sql.query<{ wait_ms: number }>(
    `insert into outbox_bot_slots as s (channel, bot_key, pace, next_at)
     values ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))
     on conflict (channel, bot_key, pace)
       do update set next_at = greatest(s.next_at, clock_timestamp()) + make_interval(secs => $4)
     returning extract(epoch from (s.next_at - make_interval(secs => $4) - clock_timestamp())) * 1000 as wait_ms`,
    [bot.channel, bot.botKey, bot.pace, (intervalMs * count) / 1000],
  );
  return Math.max(0, Number(r.wait_ms));
}

/** The platform answered 429: no worker sends for this bot before `ms` from now. */
export async function pauseBot(sql: Sql, bot: PacedBot, ms: number) {
  await sql.query(
    `insert into outbox_bot_slots as s (channel, bot_key, pace, next_at)
     values ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))
     on conflict (channel, bot_key, pace)
       do update set next_at = greatest(s.next_at, clock_timestamp() + make_interval(secs => $4))`,
    [bot.channel, bot.botKey, bot.pace, ms / 1000],
  );
}

/**
 * Gives each chat its turn if its gap since the last message has passed (and starts the
 * next gap); returns the chats that got their turn. Chats must be distinct.
 */
export async function takeChatTurns(
  sql: Sql,
  bot: { channel: string; botKey: string },
  chats: { chatId: string; gapMs: number }[],
): Promise<Set<string>> {
  if (chats.length === 0) return new Set();
  const rows = await sql.query<{ chat_id: string }>(
    `insert into outbox_chat_gates as g (channel, bot_key, chat_id, next_at)
     select $1, $2, c.chat_id, clock_timestamp() + make_interval(secs => c.gap)
       from unnest($3::text[], $4::float8[]) as c(chat_id, gap)
     on conflict (channel, bot_key, chat_id)
       do update set next_at = excluded.next_at where g.next_at <= clock_timestamp()
     returning chat_id`,
    [bot.channel, bot.botKey, chats.map((c) => c.chatId), chats.map((c) => c.gapMs / 1000)],
  );
  return new Set(rows.map((r) => r.chat_id));
}

/** Chat gates whose moment passed long ago tell nothing: keep the table small. */
export async function pruneChatGates(sql: Sql): Promise<void> {
  await sql.query(`delete from outbox_chat_gates where next_at < now() - interval '10 minutes'`);
}

/**
 * Sent. A reply's text is not kept once delivered (it may answer a secret ballot); a
 * broadcast's is (the web chat reads it, statistics count it). Returns the ids this worker
 * still held (the others were taken over after their lease lapsed).
 */
export async function markSent(
  sql: Sql,
  owner: string,
  sent: { id: number; providerMessageId: string }[],
): Promise<number[]> {
  if (sent.length === 0) return [];
  const rows = await sql.query<{ id: number }>(
    `update outbox_messages o
        set status = 'sent', sent_at = now(), provider_message_id = s.pid, last_error = null, claimed_by = null,
            payload = case when o.lane = 0 then '{}'::jsonb else o.payload end
       from unnest($2::bigint[], $3::text[]) as s(id, pid)
      where o.id = s.id and o.claimed_by = $1 and o.status = 'sending' returning o.id`,
    [owner, sent.map((x) => x.id), sent.map((x) => x.providerMessageId)],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Failed for good: the reason is kept; a reply's text is not (it may carry a console sign-in
 * link, or answer a secret ballot), as when it is sent.
 */
export async function markFailed(sql: Sql, owner: string, id: number, reason: string): Promise<void> {
  await sql.query(
    `update outbox_messages set status = 'failed', last_error = $3, claimed_by = null,
            payload = case when lane = 0 then '{}'::jsonb else payload end
      where id = $2 and claimed_by = $1 and status = 'sending'`,
    [owner, id, reason.slice(0, 300)],
  );
}

/** Back to the queue after `ms`; a 429 (refund) does not count as an attempt. */
export async function reschedule(
  sql: Sql,
  owner: string,
  id: number,
  o: { ms: number; reason: string; refund: boolean },
): Promise<void> {
  await sql.query(
    `update outbox_messages
        set status = 'queued', next_attempt_at = now() + make_interval(secs => $3), last_error = $4,
            attempts = attempts - $5, claimed_by = null
      where id = $2 and claimed_by = $1 and status = 'sending'`,
    [owner, id, o.ms / 1000, o.reason.slice(0, 300), o.refund ? 1 : 0],
  );
}

/** Messages still to send (queued, or claimed by a worker). */
export async function countUnsent(sql: Sql): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(
    `select count(*)::int as n from outbox_messages where status in ('queued', 'sending')`,
  );
  return n;
}

/**
 * So that a reply "1", "2"… to a message's numbered options picks one, on channels without
 * buttons (the same session key as bot/core/session.ts's rememberChoices).
 */
export async function rememberSentChoices(
  sql: Sql,
  chat: { channel: string; botKey: string; chatId: string },
  data: string[],
): Promise<void> {
  await sql.query(
    `insert into chat_sessions (channel, bot_key, chat_id, key, value, updated_at)
      values ($1, $2, $3, 'choices', $4::jsonb, now())
     on conflict (channel, bot_key, chat_id, key) do update set value = excluded.value, updated_at = now()`,
    [chat.channel, chat.botKey, chat.chatId, JSON.stringify(data)],
  );
}

export { OUTBOX_WAKE_CHANNEL };
