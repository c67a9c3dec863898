/**
 * Queues chat messages in the durable outbox. Call inside the transaction of the change
 * that causes them: the message then exists exactly when the change does, and a crash
 * between the two loses neither.
 */
import type { Sql } from '../db/connect.ts';
import type { ActionChoice, DeepLink } from '../chat-actions/chat-action.ts';

/**
 * A button as stored: the domain's typed action, the conversation core's own (menus, dialogue
 * steps) or, in rows queued before the codec, hand-written data. The bot side encodes it.
 */
export type StoredChoice = ActionChoice | { label: string; action?: { kind: string }; data?: string };

/** What a chat shows; channels render it (buttons on Telegram, numbered options on Zalo). */
export interface OutboundPayload {
  text: string;
  /** Typed actions; the conversation core (bot/core/actions.ts) encodes them as button data. */
  choices?: StoredChoice[];
  /** The conversation core's main menu, after the choices (see bot/core/reply.ts). */
  menu?: StoredChoice[];
  /** Telegram's reply keyboard: show or hide it. */
  keyboard?: 'show' | 'hide';
  /** The next message should be a number (Zalo then offers no numbered options). */
  expects?: 'number';
  link?: { label: string; url: string };
  /** Phrases of `text` shown in bold where the channel can (Telegram); elsewhere they stay plain. */
  bold?: string[];
  /** Opens the bot privately on an action (Telegram: a t.me link button; elsewhere what to type). */
  deepLink?: DeepLink;
  /** A QR code the channel draws (see bot/core/reply.ts). */
  qr?: { text: string; start?: string; caption?: string };
  /** Telegram paid broadcast (urgent notices of organisations that enabled it). */
  paidBroadcast?: boolean;
}

export interface OutboundMeta {
  kind: string;
  refType?: string;
  refId?: string | number;
  /** Makes the enqueue idempotent per recipient: `${dedupePrefix}:${channel}:${bot}:${chat}`. */
  dedupePrefix?: string;
}

/**
 * One row per linked chat account of each member (Telegram, Zalo, and the web-chat inbox).
 * Returns how many rows were queued. Members without a linked account get nothing here.
 */
export async function enqueueForMembers(
  sql: Sql,
  memberIds: number[],
  payload: OutboundPayload,
  meta: OutboundMeta,
): Promise<number> {
  if (memberIds.length === 0) return 0;
  const rows = await sql.query(
    `insert into outbox_messages (channel, bot_key, chat_id, member_id, kind, ref_type, ref_id, payload, dedupe_key)
     select a.channel, a.bot_key, a.chat_id, a.member_id, $2, $3, $4, $5::jsonb,
            case when $6::text is null then null else $6 || ':' || a.channel || ':' || a.bot_key || ':' || a.chat_id end
       from chat_accounts a
      where a.member_id = any($1::int[]) and a.unlinked_at is null
     on conflict (dedupe_key) do nothing
     returning id`,
    [
      memberIds,
      meta.kind,
      meta.refType ?? null,
      meta.refId == null ? null : String(meta.refId),
      JSON.stringify(payload),
      meta.dedupePrefix ?? null,
    ],
  );
  return rows.length;
}

/**
 * One row per chat group bound to the organisation (e.g. the cell's Telegram group) — or, with
 * `subtree`, to it or any unit beneath it (a province's notice reaches every cell's group) —
 * in one statement.
 */
export async function enqueueForOrgGroups(
  sql: Sql,
  orgId: number,
  payload: OutboundPayload,
  meta: OutboundMeta,
  options: { subtree?: boolean } = {},
): Promise<number> {
  const rows = await sql.query(
    `insert into outbox_messages (channel, bot_key, chat_id, org_id, kind, ref_type, ref_id, payload, dedupe_key)
     select g.channel, g.bot_key, g.chat_id, g.org_id, $2, $3, $4, $5::jsonb,
            case when $6::text is null then null else $6 || ':' || g.channel || ':' || g.bot_key || ':' || g.chat_id end
       from chat_groups g
       join orgs o on o.id = g.org_id
       join orgs root on root.id = $1
      where g.unbound_at is null and (o.id = root.id or ($7 and o.path <@ root.path))
     on conflict (dedupe_key) do nothing
     returning id`,
    [
      orgId,
      meta.kind,
      meta.refType ?? null,
      meta.refId == null ? null : String(meta.refId),
      JSON.stringify(payload),
      meta.dedupePrefix ?? null,
      options.subtree ?? false,
    ],
  );
  return rows.length;
}

/**
 * One message per member with its own payload (e.g. a personal signed link), for every
 * linked account of each member, in a single statement — a province-wide notice is one
 * insert, not one per recipient.
 */
export async function enqueuePersonal(
  sql: Sql,
  items: { memberId: number; payload: OutboundPayload }[],
  meta: OutboundMeta,
): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await sql.query(
    `insert into outbox_messages (channel, bot_key, chat_id, member_id, kind, ref_type, ref_id, payload, dedupe_key)
     select a.channel, a.bot_key, a.chat_id, a.member_id, $3, $4, $5, i.payload,
            case when $6::text is null then null else
              $6 || ':' || a.member_id || ':' || a.channel || ':' || a.bot_key || ':' || a.chat_id end
       from unnest($1::int[], $2::jsonb[]) as i(member_id, payload)
       join chat_accounts a on a.member_id = i.member_id and a.unlinked_at is null
     on conflict (dedupe_key) do nothing
     returning id`,
    [
      items.map((i) => i.memberId),
      items.map((i) => JSON.stringify(i.payload)),
      meta.kind,
      meta.refType ?? null,
      meta.refId == null ? null : String(meta.refId),
      meta.dedupePrefix ?? null,
    ],
  );
  return rows.length;
}
