-- Many instances on one PostgreSQL: every inbound update and every outbound message is
-- claimed by one named worker under a lease it extends while working, and completed only
-- by that worker (fenced by claimed_by). Limits shared by all send workers live in rows.

-- ─── Inbox ─────────────────────────────────────────────────────────────────────────
-- Raw platform updates are kept only until processed: afterwards the row holds ids
-- (for de-duplication), never the payload or the chat it came from.
alter table inbound_updates alter column payload drop not null;
alter table inbound_updates add column chat_key text;
alter table inbound_updates add column claimed_by text;
alter table inbound_updates add column lease_until timestamptz;
alter table inbound_updates add column attempts integer not null default 0;
update inbound_updates set payload = null where processed_at is not null;
-- One chat's updates are processed in arrival order: an update is claimable only when no
-- earlier update of its chat is still pending.
create index inbound_updates_chat_pending on inbound_updates (channel, bot_key, chat_key, id)
  where processed_at is null;

-- ─── Outbox ────────────────────────────────────────────────────────────────────────
-- lane 0: replies to a member (claimed first, own concurrency); lane 1: broadcasts.
alter table outbox_messages add column lane smallint not null default 1;
alter table outbox_messages add column claimed_by text;
-- the inbound update a reply answers (its dedupe key makes re-processing queue nothing twice)
alter table outbox_messages add column inbound_id bigint;
create index outbox_lane_due on outbox_messages (lane, next_attempt_at, id) where status in ('queued', 'sending');
create index outbox_inbound on outbox_messages (inbound_id) where inbound_id is not null;

-- One row per bot and pace (normal, paid broadcast): the next free send slot. Workers take
-- slots with one atomic update, so the bot's limit holds across every worker together;
-- a 429 moves next_at past retry_after for all of them.
create table outbox_bot_slots (
  channel text not null,
  bot_key text not null,
  pace text not null check (pace in ('normal', 'paid')),
  next_at timestamptz not null default now(),
  primary key (channel, bot_key, pace)
);

-- The earliest moment the next message may go to one chat (per-chat and per-group gaps).
-- Rows whose moment has long passed are pruned by the workers.
create table outbox_chat_gates (
  channel text not null,
  bot_key text not null,
  chat_id text not null,
  next_at timestamptz not null,
  primary key (channel, bot_key, chat_id)
);
create index outbox_chat_gates_next on outbox_chat_gates (next_at);
